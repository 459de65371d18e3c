import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from course_app.enums import OrderStatus, ProductCategory, UserRole
from course_app.models import Order, OrderItem, Product, User


def make_user(email: str = "ada@example.com") -> User:
    return User(email=email, hashed_password="x", full_name="Ada Lovelace")


def make_product(**changes: Any) -> Product:
    values: dict[str, Any] = {
        "name": "Lamp",
        "slug": f"lamp-{uuid.uuid4().hex[:6]}",
        "category": ProductCategory.HOME,
        "price": Decimal("19.99"),
        "stock_quantity": 5,
    }
    values.update(changes)
    return Product(**values)


@pytest.fixture
def local_time_not_utc() -> Iterator[None]:
    """The computer's local time zone is UTC+05:30 for the test (where Python can change it)."""
    if not hasattr(time, "tzset"):  # Windows
        yield
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TZ", "IST-05:30")  # POSIX spelling, so no time zone database is needed
        time.tzset()
        yield
    time.tzset()


@pytest.mark.hole("03.session_factory")
async def test_the_session_factory_makes_sessions_on_its_engine(engine: Any) -> None:
    """create_session_factory(engine) returns a factory, an async_sessionmaker bound to that
    engine: each call gives a new AsyncSession that can run queries."""
    from sqlalchemy.ext.asyncio import AsyncSession

    from course_app.db import create_session_factory

    factory = create_session_factory(engine)
    async with factory() as first, factory() as second:
        assert isinstance(first, AsyncSession) and first is not second
        assert (await first.execute(select(1))).scalar() == 1


async def test_all_tables_are_created(engine: Any) -> None:
    """create_tables creates users, products, orders and order_items."""
    async with engine.connect() as connection:
        names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    assert {"users", "products", "orders", "order_items"} <= set(names)


async def test_user_defaults_and_aware_timestamps(session: Any) -> None:
    """A new user gets a UUID, role "user", status "active" and timezone-aware timestamps."""
    session.add(make_user())
    await session.commit()
    session.expunge_all()
    user = await session.scalar(select(User))
    assert isinstance(user.id, uuid.UUID)
    assert user.role == UserRole.USER
    assert user.status == "active"
    assert user.created_at.tzinfo is not None, "SQLite returns naive datetimes: attach UTC"
    assert user.updated_at.utcoffset().total_seconds() == 0


async def test_email_is_unique_regardless_of_case(session: Any) -> None:
    """Two users whose emails differ only in case cannot both exist."""
    session.add(make_user("ada@example.com"))
    await session.commit()
    session.add(make_user("ADA@Example.COM"))
    with pytest.raises(IntegrityError):
        await session.commit()


async def test_slug_is_unique(session: Any) -> None:
    """Two products cannot share a slug."""
    session.add(make_product(slug="lamp"))
    await session.commit()
    session.add(make_product(slug="lamp"))
    with pytest.raises(IntegrityError):
        await session.commit()


@pytest.mark.parametrize(
    "changes",
    [
        {"price": Decimal("0")},
        {"price": Decimal("-1")},
        {"stock_quantity": -1},
        {"reserved_quantity": -1},
        {"stock_quantity": 2, "reserved_quantity": 3},
    ],
    ids=["price-zero", "price-negative", "stock-negative", "reserved-negative", "reserved>stock"],
)
async def test_product_check_constraints_hold(session: Any, changes: dict[str, Any]) -> None:
    """The database refuses price <= 0, negative stock or reserved, and reserved > stock."""
    session.add(make_product(**changes))
    with pytest.raises(IntegrityError):
        await session.commit()


def order_of(user: Any, product: Any, quantity: int, unit_price: Decimal) -> Order:
    """An order of one item; 8% tax and 9.99 shipping, as the service would compute them."""
    subtotal = unit_price * quantity
    tax = (subtotal * Decimal("0.08")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return Order(
        order_number="ORD-20240101-ABCDEF12",
        user_id=user.id,
        subtotal=subtotal,
        tax_amount=tax,
        shipping_amount=Decimal("9.99"),
        total_amount=subtotal + tax + Decimal("9.99"),
        items=[
            OrderItem(
                product_id=product.id,
                quantity=quantity,
                unit_price=unit_price,
                total_price=subtotal,
            )
        ],
    )


def order_without_items(user_id: uuid.UUID) -> Order:
    """A minimal valid order row: 1.00, 8% tax, 9.99 shipping."""
    return Order(
        order_number="ORD-20240101-ABCDEF12",
        user_id=user_id,
        subtotal=Decimal("1.00"),
        tax_amount=Decimal("0.08"),
        shipping_amount=Decimal("9.99"),
        total_amount=Decimal("11.07"),
    )


async def test_order_with_items_round_trips_with_decimals(session: Any) -> None:
    """An order saves its items (cascade) and money comes back as exact Decimals."""
    user, product = make_user(), make_product()
    session.add_all([user, product])
    await session.flush()
    session.add(order_of(user, product, quantity=2, unit_price=Decimal("19.99")))
    await session.commit()
    session.expunge_all()

    loaded = await session.scalar(select(Order))
    assert loaded.status == OrderStatus.PENDING
    assert loaded.total_amount == Decimal("53.17")
    assert [item.quantity for item in loaded.items] == [2]  # selectin: no lazy load needed


async def test_order_item_quantity_must_be_positive(session: Any) -> None:
    """An order item with quantity 0 is refused by a check constraint."""
    user, product = make_user(), make_product()
    session.add_all([user, product])
    await session.flush()
    session.add(order_of(user, product, quantity=0, unit_price=Decimal("1.00")))
    with pytest.raises(IntegrityError):
        await session.commit()


@pytest.mark.hole("03.sqlite_pragmas")
async def test_foreign_keys_are_enforced_on_sqlite(session: Any) -> None:
    """An order for a user that does not exist is refused: SQLite checks foreign keys only on a
    connection that ran PRAGMA foreign_keys=ON."""
    session.add(order_without_items(user_id=uuid.uuid4()))
    with pytest.raises(IntegrityError):
        await session.commit()


@pytest.mark.hole("03.session_factory")
async def test_objects_stay_readable_after_commit(session_factory: Any) -> None:
    """Objects stay readable after commit without new I/O: the factory needs
    expire_on_commit=False."""
    async with session_factory() as session:
        user = make_user()
        session.add(user)
        await session.commit()
    assert user.email == "ada@example.com"  # the session is closed; no MissingGreenlet


async def test_email_uniqueness_is_enforced_by_the_database(session: Any) -> None:
    """Even a row written with raw SQL cannot reuse an email in another case (unique lower(email))."""
    from sqlalchemy import text

    session.add(make_user("ada@example.com"))
    await session.commit()
    with pytest.raises(IntegrityError):
        await session.execute(
            text(
                "INSERT INTO users (id, email, hashed_password, full_name, role, status,"
                " is_verified, created_at, updated_at)"
                " VALUES ('00000000000000000000000000000001', 'ADA@EXAMPLE.COM', 'x', 'Ada',"
                " 'user', 'active', FALSE, '2024-01-01', '2024-01-01')"
            )
        )


async def test_unknown_enum_value_is_refused_by_the_database(session: Any) -> None:
    """Enums are portable VARCHAR + CHECK columns: the database refuses an unknown role."""
    from sqlalchemy import text

    with pytest.raises(IntegrityError):
        await session.execute(
            text(
                "INSERT INTO users (id, email, hashed_password, full_name, role, status,"
                " is_verified, created_at, updated_at)"
                " VALUES ('00000000000000000000000000000002', 'eve@example.com', 'x', 'Eve',"
                " 'superuser', 'active', FALSE, '2024-01-01', '2024-01-01')"
            )
        )


async def test_order_number_is_unique(session: Any) -> None:
    """Two orders cannot share an order_number."""
    user = make_user()
    session.add(user)
    await session.flush()
    for _ in range(2):
        session.add(order_without_items(user_id=user.id))
    with pytest.raises(IntegrityError):
        await session.commit()


async def test_a_product_appears_once_per_order(session: Any) -> None:
    """An order cannot hold two items for the same product (unique order_id, product_id)."""
    user, product = make_user(), make_product()
    session.add_all([user, product])
    await session.flush()
    items = [
        OrderItem(
            product_id=product.id, quantity=1, unit_price=Decimal("1.00"), total_price=Decimal("1")
        )
        for _ in range(2)
    ]
    session.add(
        Order(
            order_number="ORD-20240101-22222222",
            user_id=user.id,
            subtotal=Decimal("2.00"),
            tax_amount=Decimal("0.16"),
            shipping_amount=Decimal("9.99"),
            total_amount=Decimal("12.15"),
            items=items,
        )
    )
    with pytest.raises(IntegrityError):
        await session.commit()


async def test_the_useful_indexes_exist(engine: Any) -> None:
    """The lookup indexes exist: email+status, role+created, product category and price, orders."""

    from sqlalchemy import text

    # The catalogues list expression indexes too, which the inspector skips on SQLite.
    catalogue = {
        "sqlite": "SELECT name FROM sqlite_master WHERE type = 'index'",
        "postgresql": "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()",
    }
    async with engine.connect() as connection:
        rows = await connection.execute(text(catalogue[engine.dialect.name]))
        names = set(rows.scalars())
    assert {
        "uq_users_email_lower",
        "idx_users_email_status",
        "idx_users_role_created",
        "idx_products_category_active",
        "idx_products_price_range",
        "idx_orders_user_created",
        "idx_orders_status_created",
        "idx_order_items_product",
    } <= names


def test_models_use_portable_types_only() -> None:
    """No column uses a PostgreSQL-only type: the same models run on SQLite and PostgreSQL."""
    from course_app.db import Base

    for table in Base.metadata.tables.values():
        for column in table.columns:
            module = type(column.type).__module__
            assert "dialects" not in module, f"{table.name}.{column.name} uses {module}"


async def test_naive_datetimes_are_refused(session: Any) -> None:
    """Timestamps must be timezone-aware: a naive datetime is refused on the way in."""
    from datetime import datetime

    from sqlalchemy.exc import StatementError

    user = make_user()
    user.last_login = datetime(2024, 1, 1)  # naive: no tzinfo
    session.add(user)
    with pytest.raises(StatementError):
        await session.commit()


async def test_transaction_commits_at_the_end_and_rolls_back_on_error(session_factory: Any) -> None:
    """`async with transaction(session)` commits when the block ends and undoes it all on error."""
    from course_app.db import transaction
    from course_app.models import User

    async with session_factory() as session, transaction(session):
        session.add(User(email="kept@example.com", hashed_password="x", full_name="Kept"))
    with pytest.raises(RuntimeError):
        async with session_factory() as session, transaction(session):
            session.add(User(email="undone@example.com", hashed_password="x", full_name="Undone"))
            await session.flush()
            raise RuntimeError("something failed after the write")
    async with session_factory() as session:
        emails = set((await session.scalars(select(User.email))).all())
    assert emails == {"kept@example.com"}


async def test_open_database_disposes_the_engine_even_after_an_error(database_url: str) -> None:
    """open_database creates the tables, and its engine is disposed of whatever happens inside."""
    from course_app.db import open_database

    with pytest.raises(RuntimeError):
        async with open_database(database_url) as database:
            engine = database.engine
            async with database.session_factory() as session:
                await session.execute(select(1))
            raise RuntimeError("start-up failed half-way")
    assert engine.pool.checkedin() == 0


@pytest.mark.hole("03.sqlite_pragmas")
async def test_sqlite_connections_wait_for_a_lock(engine: Any) -> None:
    """Every SQLite connection waits LOCK_WAIT_MS for a lock before it fails: PRAGMA busy_timeout
    counts milliseconds, not seconds."""
    from course_app.db import LOCK_WAIT_MS

    if engine.dialect.name != "sqlite":
        pytest.skip("a SQLite setting")
    async with engine.connect() as connection:
        waits = (await connection.exec_driver_sql("PRAGMA busy_timeout")).scalar()
    assert waits == LOCK_WAIT_MS


@pytest.mark.hole("03.utc_result")
async def test_timestamps_come_back_as_the_same_moment_in_utc(
    session: Any, local_time_not_utc: None
) -> None:
    """A datetime comes back aware, in UTC, and the moment that was stored. SQLite hands back naive
    values that hold UTC: attach UTC to them with replace(tzinfo=UTC); astimezone would read them
    as the computer's local time."""
    moment = datetime(2024, 1, 1, 12, 30, tzinfo=UTC)
    user = make_user()
    user.last_login = moment
    session.add(user)
    await session.commit()
    session.expunge_all()
    loaded = await session.scalar(select(User))
    assert loaded.last_login is not None and loaded.last_login.tzinfo is not None
    assert loaded.last_login == moment
    assert loaded.last_login.utcoffset() == timedelta(0)
    assert loaded.created_at.tzinfo is not None
