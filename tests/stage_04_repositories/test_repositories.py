import asyncio
from decimal import Decimal
from typing import Any

import pytest

from course_app.enums import ProductCategory
from course_app.models import Product, User
from course_app.repositories.products import ProductRepository, slugify
from course_app.repositories.users import UserRepository


async def add_product(session: Any, name: str, **changes: Any) -> Product:
    products = ProductRepository(session)
    values: dict[str, Any] = {
        "name": name,
        "category": ProductCategory.HOME,
        "price": Decimal("10.00"),
        "stock_quantity": 10,
    }
    values.update(changes)
    product = await products.add(Product(**values, slug=await products.unique_slug(name)))
    await session.commit()
    return product


async def test_add_get_and_delete(session: Any) -> None:
    """Repository.add flushes (id assigned), get finds by id, delete removes the row."""
    users = UserRepository(session)
    user = await users.add(User(email="a@example.com", hashed_password="x", full_name="Ada"))
    assert user.id is not None
    assert await users.get(user.id) is user
    await users.delete(user)
    await session.commit()
    assert await users.get(user.id) is None


async def test_get_by_email_ignores_case(session: Any) -> None:
    """get_by_email finds a user whatever the case of the email typed."""
    users = UserRepository(session)
    await users.add(User(email="Ada@Example.com", hashed_password="x", full_name="Ada"))
    found = await users.get_by_email("ADA@EXAMPLE.COM")
    assert found is not None
    assert found.email == "ada@example.com"


@pytest.mark.hole("04.paginate")
async def test_pagination_returns_a_slice_and_the_total(session: Any) -> None:
    """paginate returns per_page items from offset (page - 1) * per_page, so page 1 starts at the
    first row, and a total that counts every matching row, not just the page's."""
    for number in range(25):
        await add_product(session, f"Item {number}")
    repository = ProductRepository(session)
    first, total = await repository.search(page=1, per_page=10)
    last, _ = await repository.search(page=3, per_page=10)
    beyond, _ = await repository.search(page=4, per_page=10)
    assert total == 25
    assert (len(first), len(last), len(beyond)) == (10, 5, 0)
    assert first[0].name == "Item 24", "newest first"


@pytest.mark.hole("04.paginate")
async def test_the_total_counts_the_rows_the_statement_matches(session: Any) -> None:
    """paginate counts the rows of the statement it is given, filters included, not the whole
    table: hidden products and products the search text does not match are not in its total."""
    for number in range(3):
        await add_product(session, f"Book {number}")
    await add_product(session, "Ball")
    await add_product(session, "Hidden book", is_active=False)
    repository = ProductRepository(session)
    _, every_active = await repository.search()
    books, total = await repository.search(q="book", per_page=2)
    assert every_active == 4
    assert (len(books), total) == (2, 3)


async def test_unique_slugs_are_generated(session: Any) -> None:
    """Two products with the same name get different slugs; the first gets the plain slug."""
    first = await add_product(session, "Desk Lamp!")
    second = await add_product(session, "Desk Lamp!")
    assert first.slug == "desk-lamp"
    assert second.slug != first.slug
    assert second.slug.startswith("desk-lamp-")
    assert slugify("!!!") == "product"


async def test_search_is_a_case_insensitive_substring(session: Any) -> None:
    """q matches part of the name or the description, ignoring case."""
    await add_product(session, "Desk Lamp")
    await add_product(session, "Chair", description="Goes well with a LAMP")
    await add_product(session, "Table")
    items, total = await ProductRepository(session).search(q="lamp")
    assert total == 2
    assert {product.name for product in items} == {"Desk Lamp", "Chair"}


@pytest.mark.parametrize("q", ["%", "_", "'", "\\", "%'; DROP TABLE products; --"])
async def test_wildcards_and_quotes_match_literally(session: Any, q: str) -> None:
    """`%`, `_`, quotes and backslashes are literal characters, not wildcards or SQL."""
    await add_product(session, "Lamp")
    items, total = await ProductRepository(session).search(q=q)
    assert (list(items), total) == ([], 0)
    _, still_there = await ProductRepository(session).search()
    assert still_there == 1


async def test_literal_percent_in_a_name_is_found(session: Any) -> None:
    """Searching for "50%" finds a product whose name contains "50%", and only that one."""
    await add_product(session, "50% off lamp")
    await add_product(session, "500 lamps")
    items, _ = await ProductRepository(session).search(q="50%")
    assert [product.name for product in items] == ["50% off lamp"]


@pytest.mark.hole("04.search_filters")
async def test_filters_category_price_and_active(session: Any) -> None:
    """category, min_price and max_price each narrow the search, both prices included (a product
    at exactly min_price or max_price is found). Each `.where()` returns a new statement: keep it.

    Inactive products never show.
    """
    await add_product(session, "Book", category=ProductCategory.BOOKS, price=Decimal("5.00"))
    await add_product(session, "Novel", category=ProductCategory.BOOKS, price=Decimal("25.00"))
    await add_product(session, "Ball", category=ProductCategory.SPORTS, price=Decimal("15.00"))
    await add_product(session, "Hidden", category=ProductCategory.BOOKS, is_active=False)
    repository = ProductRepository(session)

    books, _ = await repository.search(category=ProductCategory.BOOKS)
    assert {product.name for product in books} == {"Book", "Novel"}
    mid, _ = await repository.search(min_price=Decimal("5.00"), max_price=Decimal("15.00"))
    assert {product.name for product in mid} == {"Book", "Ball"}


@pytest.mark.hole("04.reserve")
async def test_reserve_release_and_ship(session: Any) -> None:
    """reserve holds units, release gives them back, ship turns reserved units into less stock."""
    product = await add_product(session, "Lamp", stock_quantity=5)
    repository = ProductRepository(session)
    assert await repository.reserve(product.id, 3)
    assert not await repository.reserve(product.id, 3), "only 2 are still available"
    assert await repository.release(product.id, 1)
    assert await repository.ship(product.id, 2)
    await session.commit()
    await session.refresh(product)
    assert (product.stock_quantity, product.reserved_quantity) == (3, 0)


@pytest.mark.hole("04.reserve")
async def test_inactive_products_cannot_be_reserved(session: Any) -> None:
    """reserve must refuse a product that is no longer active (`is_active` in the WHERE)."""
    product = await add_product(session, "Lamp", is_active=False)
    assert not await ProductRepository(session).reserve(product.id, 1)


async def naive_reserve(session_factory: Any, product_id: Any, quantity: int) -> bool:
    """The WRONG way: read, decide in Python, then write. Kept here to prove the test can fail."""
    async with session_factory() as session:
        product = await session.get(Product, product_id)
        if product.stock_quantity - product.reserved_quantity < quantity:
            return False
        await asyncio.sleep(0.01)  # the gap between read and write where others read too
        product.reserved_quantity = product.reserved_quantity + quantity
        await session.commit()
        return True


async def atomic_reserve(session_factory: Any, product_id: Any, quantity: int) -> bool:
    async with session_factory() as session:
        reserved = await ProductRepository(session).reserve(product_id, quantity)
        await session.commit()
        return reserved


async def run_concurrently(session_factory: Any, reserve: Any) -> tuple[int, int]:
    async with session_factory() as session:
        product = await add_product(session, "Scarce", stock_quantity=10)
    results = await asyncio.gather(*(reserve(session_factory, product.id, 1) for _ in range(25)))
    async with session_factory() as session:
        fresh = await session.get(Product, product.id)
    return sum(results), fresh.available_quantity


async def test_naive_read_then_write_oversells(session_factory: Any) -> None:
    """Control: read-then-write reports more than 10 successes on a stock of 10 (lost updates)."""
    successes, _ = await run_concurrently(session_factory, naive_reserve)
    assert successes > 10


@pytest.mark.hole("04.reserve")
async def test_concurrent_reservations_never_oversell(session_factory: Any) -> None:
    """25 buyers of a stock of 10: more than 10 succeed after a read, then a write. Check and take
    the units in one conditional UPDATE."""
    successes, available = await run_concurrently(session_factory, atomic_reserve)
    assert (successes, available) == (10, 0)


async def test_update_applies_a_partial_change_and_flushes(session: Any) -> None:
    """Repository.update sets only the given fields, and the change is sent to the database."""
    users = UserRepository(session)
    user = await users.add(User(email="old@example.com", hashed_password="x", full_name="Old"))
    await users.update(user, {"full_name": "New Name", "phone": "+1 555 123 4567"})
    fresh = await session.get(User, user.id, populate_existing=True)
    assert (fresh.full_name, fresh.phone, fresh.email) == (
        "New Name",
        "+1 555 123 4567",
        "old@example.com",
    )
