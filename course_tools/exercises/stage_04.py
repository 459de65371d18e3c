"""Checks for the exercises of notebook 04 (repositories)."""

import asyncio
import sqlite3
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

from sqlalchemy import event

from course_tools.exercises import Namespace, exercise, expect
from course_tools.holes.mistakes import Mistake


@exercise("04.1")
def escape_like(ns: Namespace) -> None:
    escape = ns["escape_like"]
    expect(escape("lamp") == "lamp", "Text without % _ or / stays the same.")
    expect(
        "\\" not in escape("50%"),
        "The escape character here is \"/\", not a backslash: the query says ESCAPE '/'.",
    )
    expect(
        escape("50%") != "50//%",
        'You escaped your own escapes: "50%" became "50//%". Escape "/" first, then "%" and "_".',
    )
    expect(escape("50%") == "50/%", 'Put "/" before "%": escape_like("50%") gives "50/%".')
    expect(escape("a_b") == "a/_b", 'Put "/" before "_": escape_like("a_b") gives "a/_b".')
    expect(
        escape("1/2") == "1//2",
        'The escape character itself needs escaping: escape_like("1/2") gives "1//2".',
    )
    expect(
        escape("%/_") == "/%///_",
        'Escape "/" first, then "%" and "_": escape_like("%/_") gives "/%///_".',
    )
    with sqlite3.connect(":memory:") as connection:
        connection.execute("CREATE TABLE products (name TEXT)")
        names = ["50% off", "500 lamps", "a_b", "axb", "1/2 price"]
        connection.executemany("INSERT INTO products VALUES (?)", [(name,) for name in names])
        for text, expected in [("50%", ["50% off"]), ("_", ["a_b"]), ("/", ["1/2 price"])]:
            rows = connection.execute(
                "SELECT name FROM products WHERE name LIKE '%' || ? || '%' ESCAPE '/'",
                (escape(text),),
            ).fetchall()
            found = [row[0] for row in rows]
            expect(found == expected, f"Searching for {text!r} found {found}, not {expected}.")


@asynccontextmanager
async def temporary_shop() -> AsyncIterator[Any]:
    from course_app.db import create_engine, create_session_factory, create_tables

    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite+aiosqlite:///{folder}/check.db")
        await create_tables(engine)
        try:
            yield create_session_factory(engine)
        finally:
            await engine.dispose()


async def add_product(session_factory: Any, name: str, **values: Any) -> uuid.UUID:
    from course_app.enums import ProductCategory
    from course_app.models import Product

    fields: dict[str, Any] = {
        "category": ProductCategory.HOME,
        "price": Decimal("10.00"),
        "stock_quantity": 10,
    }
    fields.update(values)
    async with session_factory() as session:
        product = Product(name=name, slug=name.lower().replace(" ", "-"), **fields)
        session.add(product)
        await session.commit()
        product_id: uuid.UUID = product.id
        return product_id


@exercise("04.2")
async def take_units(ns: Namespace) -> None:
    from course_app.models import Product

    take = ns["take_units"]
    async with temporary_shop() as session_factory:
        product_id = await add_product(session_factory, "Lamp", stock_quantity=10)

        # The caller owns the transaction: a rollback after take_units must undo it.
        async with session_factory() as session:
            await take(session, product_id, 2)
            await session.rollback()
        async with session_factory() as session:
            untouched = await session.get(Product, product_id)
        expect(
            untouched is not None and untouched.reserved_quantity == 0,
            "take_units committed: a rollback by the caller no longer undoes it. Leave the "
            "commit to the caller, who may have more to do in the same transaction.",
        )

        async with session_factory() as session:
            too_many = await take(session, product_id, 11)
            await session.commit()
        expect(too_many is False, "Asking for 11 units of a stock of 10 should return False.")

        async def one_customer() -> Any:  # the learner's answer: a bool, if it is right
            async with session_factory() as session:
                taken = await take(session, product_id, 1)
                await session.commit()
                return taken

        results = await asyncio.gather(*(one_customer() for _ in range(25)))
        expect(
            all(isinstance(result, bool) for result in results),
            "Return a bool: result.rowcount == 1.",
        )
        async with session_factory() as session:
            product = await session.get(Product, product_id)
        expect(
            sum(results) == 10,
            f"25 concurrent calls on a stock of 10 gave {sum(results)} successes, not 10. "
            "Put the availability check in the UPDATE's WHERE clause; do not read first.",
        )
        expect(
            product.reserved_quantity == 10,
            f"reserved_quantity ended at {product.reserved_quantity}, not 10: "
            "use values(reserved_quantity=Product.reserved_quantity + quantity).",
        )


@exercise("04.3")
async def count_in_range(ns: Namespace) -> None:
    count = ns["count_in_range"]
    async with temporary_shop() as session_factory:
        for name, price, active in [
            ("Cheap", "5.00", True),
            ("Middle", "10.00", True),
            ("Upper", "20.00", True),
            ("Dear", "99.00", True),
            ("Hidden", "10.00", False),
        ]:
            await add_product(session_factory, name, price=Decimal(price), is_active=active)
        statements: list[str] = []

        def record(*args: Any) -> None:
            statements.append(args[2].lower())  # (connection, cursor, statement, ...)

        engine = session_factory.kw["bind"].sync_engine
        event.listen(engine, "before_cursor_execute", record)
        async with session_factory() as session:
            middle = await count(session, Decimal("10.00"), Decimal("20.00"))
            everything = await count(session, Decimal("0.01"), Decimal("1000.00"))
            nothing = await count(session, Decimal("30.00"), Decimal("40.00"))
        event.remove(engine, "before_cursor_execute", record)
    expect(isinstance(middle, int), "Return an int (session.scalar(...) of a count).")
    expect(nothing == 0, "No product costs between 30.00 and 40.00: expected 0.")
    expect(everything != 5, "Count only active products: is_active must be true.")
    expect(everything == 4, f"All 4 active products cost 0.01-1000.00; you counted {everything}.")
    expect(middle == 2, f"Both bounds are included: 10.00-20.00 has 2 products, not {middle}.")
    expect(
        all("count(" in statement for statement in statements if "select" in statement),
        "Let the database count: select(func.count()). Loading the rows to count them with "
        "len() in Python moves every row over the wire.",
    )


MISTAKES = [
    Mistake(
        "04.2",
        "commits inside",
        change=(
            ("    .execution_options(synchronize_session=False)\n)\n"),
            ("    .execution_options(synchronize_session=False)\n)\nawait session.commit()\n"),
        ),
        names="take_units committed",
    ),
    Mistake(
        "04.2",
        "a read, then a write",
        """
        product = await session.get(Product, product_id)
        if product.stock_quantity - product.reserved_quantity < quantity:
            return False
        product.reserved_quantity += quantity
        return True
        """,
        names="do not read first",
    ),
    Mistake(
        "04.1",
        "escapes in the wrong order",
        """
        for character in ("%", "_", "/"):
            text = text.replace(character, "/" + character)
        return text
        """,
        names="escaped your own escapes",
    ),
    Mistake(
        "04.1",
        "the escape character forgotten",
        """
        for character in ("%", "_"):
            text = text.replace(character, "/" + character)
        return text
        """,
        names="escape character itself",
    ),
    Mistake(
        "04.1",
        "a backslash",
        """
        for character in ("\\\\", "%", "_"):
            text = text.replace(character, "\\\\" + character)
        return text
        """,
        names="not a backslash",
    ),
    Mistake(
        "04.3",
        "inactive products counted",
        change=(
            "    .where(Product.is_active.is_(True), Product.price >= low, Product.price <= high)\n",
            "    .where(Product.price >= low, Product.price <= high)\n",
        ),
        names="only active products",
    ),
    Mistake(
        "04.3",
        "bounds excluded",
        change=(
            "    .where(Product.is_active.is_(True), Product.price >= low, Product.price <= high)\n",
            "    .where(Product.is_active.is_(True), Product.price > low, Product.price < high)\n",
        ),
        names="both bounds are included",
    ),
    Mistake(
        "04.3",
        "counted in Python",
        """
        statement = select(Product).where(
            Product.is_active.is_(True), Product.price >= low, Product.price <= high
        )
        return len((await session.scalars(statement)).all())
        """,
        names="let the database count",
    ),
]
