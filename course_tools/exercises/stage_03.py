"""Checks for the exercises of notebook 03 (models). Each check builds its own SQLite file."""

import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, InvalidRequestError, PendingRollbackError

from course_tools.exercises import Namespace, exercise, expect
from course_tools.holes.mistakes import Mistake


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


class RacingSession:
    """A session in which another request registers the same email, committed, right after the
    learner's code adds its user: between any "does it exist?" query and the INSERT."""

    def __init__(self, session: Any, database_url: str) -> None:
        self.session = session
        self.database_url = database_url

    def add(self, instance: Any) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.orm import Session

        from course_app.models import User

        engine = create_engine(self.database_url.replace("+aiosqlite", ""))
        try:
            with Session(engine) as other:
                other.add(User(email=instance.email, hashed_password="x", full_name="Racer"))
                other.commit()
        finally:
            engine.dispose()
        self.session.add(instance)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.session, name)


RACE_HINT = (
    'The commit raised IntegrityError: catch it, roll back and return False. A "does it '
    'exist?" query first is not enough: another request can register the same email between '
    "your query and your INSERT, and only the unique index sees it."
)


@exercise("03.2")
async def add_user_unless_taken(ns: Namespace) -> None:
    from course_app.models import User

    add_user = ns["add_user_unless_taken"]

    async def add(session: Any, email: str, full_name: str) -> Any:
        try:
            return await add_user(session, email, full_name)
        except IntegrityError:
            expect(False, RACE_HINT)

    async with scratch_database() as session_factory, session_factory() as session:
        expect(
            await add(session, "ada@example.com", "Ada") is True, "A new email should give True."
        )
        async with session_factory() as other:
            saved = await other.scalar(select(func.count()).select_from(User))
        expect(
            saved == 1,
            "The new user was not saved: await session.commit() after session.add(...).",
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
        url = session_factory.kw["bind"].url.render_as_string(hide_password=False)
        raced = await add(RacingSession(session, url), "linus@example.com", "Linus")
        expect(
            raced is False,
            "Another request registered the same email just before your commit: the "
            "IntegrityError it raises means False.",
        )


MISTAKES = [
    Mistake(
        "03.1",
        "orders not loaded",
        """
        statement = select(User).order_by(User.email)
        return list(await session.scalars(statement))
        """,
        names="selectinload",
    ),
    Mistake(
        "03.1",
        "no order",
        """
        statement = select(User).options(selectinload(User.orders))
        return list(await session.scalars(statement))
        """,
        names="order the users by email",
    ),
    Mistake(
        "03.1",
        "execute instead of scalars",
        """
        statement = select(User).options(selectinload(User.orders)).order_by(User.email)
        return list(await session.execute(statement))
        """,
        names="session.scalars",
    ),
    Mistake(
        "03.2",
        "no rollback",
        change=(
            "    await session.rollback()\n",
            "",
        ),
        names="session.rollback()",
    ),
    Mistake(
        "03.2",
        "no commit",
        """
        session.add(User(email=email, hashed_password="not-a-real-hash", full_name=full_name))
        return True
        """,
        names="await session.commit()",
    ),
    Mistake(
        "03.2",
        "a check first, no try",
        """
        from sqlalchemy import select

        taken = await session.scalar(select(User).where(User.email == email.lower()))
        if taken is not None:
            return False
        session.add(User(email=email, hashed_password="not-a-real-hash", full_name=full_name))
        await session.commit()
        return True
        """,
        names="another request can register the same email",
    ),
]
