"""Checks for the exercises of notebook 03 (models). Each check builds its own SQLite file."""

import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import InvalidRequestError, PendingRollbackError

from course_tools.exercises import Namespace, exercise, expect


@asynccontextmanager
async def scratch_database() -> AsyncIterator[Any]:
    """A session factory on a fresh SQLite file in a temporary folder."""
    from course_app.db import create_engine, create_session_factory, create_tables

    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite+aiosqlite:///{Path(folder) / 'check.db'}")
        try:
            await create_tables(engine)
            yield create_session_factory(engine)
        finally:
            await engine.dispose()


def new_order(user_id: Any, number: int) -> Any:
    from course_app.models import Order

    return Order(
        order_number=f"ORD-20240101-{number:08X}",
        user_id=user_id,
        subtotal=Decimal("10.00"),
        tax_amount=Decimal("0.80"),
        shipping_amount=Decimal("9.99"),
        total_amount=Decimal("20.79"),
    )


@exercise("03.1")
async def users_with_orders(ns: Namespace) -> None:
    from course_app.models import User

    load = ns["users_with_orders"]
    async with scratch_database() as session_factory:
        async with session_factory() as session:
            grace = User(email="grace@example.com", hashed_password="x", full_name="Grace")
            ada = User(email="ada@example.com", hashed_password="x", full_name="Ada")
            session.add_all([grace, ada])
            await session.flush()
            session.add_all([new_order(ada.id, 1), new_order(ada.id, 2)])
            await session.commit()
        async with session_factory() as session:
            users = await load(session)
        expect(isinstance(users, list), "Return a list (e.g. list(await session.scalars(...))).")
        expect(len(users) == 2, f"There are 2 users; you returned {len(users)} items.")
        expect(
            all(isinstance(user, User) for user in users),
            "Return User objects: use session.scalars(...), not session.execute(...).",
        )
        expect(
            [user.email for user in users] == ["ada@example.com", "grace@example.com"],
            "Order the users by email: .order_by(User.email).",
        )
        try:
            counts = [len(user.orders) for user in users]
        except InvalidRequestError:
            counts = None
        expect(
            counts is not None,
            "user.orders is not loaded: add .options(selectinload(User.orders)) to the query.",
        )
        expect(counts == [2, 0], "Ada has 2 orders and Grace none.")


@exercise("03.2")
async def add_user_unless_taken(ns: Namespace) -> None:
    from course_app.models import User

    add = ns["add_user_unless_taken"]
    async with scratch_database() as session_factory, session_factory() as session:
        expect(
            await add(session, "ada@example.com", "Ada") is True, "A new email should give True."
        )
        expect(
            await add(session, "ADA@example.com", "Ada Again") is False,
            "A taken email (in any case) should give False: catch IntegrityError.",
        )
        rollback_hint = "After a refusal the session must still work: await session.rollback()."
        try:
            added = await add(session, "grace@example.com", "Grace")
        except PendingRollbackError:
            added = None
        expect(added is True, rollback_hint)
        count = await session.scalar(select(func.count()).select_from(User))
        expect(count == 2, f"Expected 2 users in the database, found {count}.")
