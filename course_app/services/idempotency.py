# Written by notebooks/11_idempotency.ipynb: edit the notebook, not this file.
"""Idempotent order placement: a request repeated with the same `Idempotency-Key` places one order.

The key's row is written in the same transaction as the order, and (user, key) is unique, so
either both exist or neither. Of two requests racing with one key, the database lets one row in;
the other rolls back its own work and answers with the winner's order.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http import HTTPStatus

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from course_app.core.cache import CatalogueCache
from course_app.exceptions import DomainError, InvalidValueError
from course_app.idempotency import IdempotencyKey
from course_app.models import Order, User
from course_app.repositories.idempotency import IdempotencyKeyRepository
from course_app.schemas.orders import OrderCreate
from course_app.services.orders import place_order

# How long a key is remembered. A retry comes within seconds or minutes; a day is generous.
KEY_RETENTION = timedelta(hours=24)
CREATED = int(HTTPStatus.CREATED)


class IdempotencyKeyReusedError(InvalidValueError):
    """The key was used before with a different request body: a client bug, answered with 422."""


@dataclass(frozen=True)
class Placed:
    order: Order
    status_code: int
    replayed: bool  # True when this is the answer to an earlier request with the same key


def request_fingerprint(data: OrderCreate) -> str:
    """SHA-256 of the validated body written canonically: sorted keys, no spaces, normal forms.

    Whitespace, the order of the keys, the case of a UUID or a missing `customer_notes` instead
    of null do not change it; any value that changes the order does.
    """
    canonical = json.dumps(data.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


async def find_replay(
    session: AsyncSession, user: User, key: str, fingerprint: str
) -> Placed | None:
    """The answer remembered for this user's key, None if there is none; 422 for another body."""
    remembered = await session.get(IdempotencyKey, (user.id, key))
    if remembered is None:
        return None
    if remembered.request_hash != fingerprint:
        raise IdempotencyKeyReusedError(
            "this Idempotency-Key was already used with a different request body"
        )
    order = await session.get(Order, remembered.order_id)
    if order is None:  # cannot happen while the foreign key cascades; never answer None
        return None
    return Placed(order, remembered.status_code, replayed=True)


async def place_order_once(
    session: AsyncSession, user: User, data: OrderCreate, key: str, cache: CatalogueCache
) -> Placed:
    """Place the order unless this user's key already placed one; then answer as the first time.

    `session` is the request's session; the order and the key are written on a connection of
    their own, in one transaction.
    """
    fingerprint = request_fingerprint(data)
    if (placed := await find_replay(session, user, key, fingerprint)) is not None:
        return placed
    # End the read (expire_on_commit=False keeps `user` loaded) and give back its connection.
    await session.commit()

    engine = session.bind
    assert isinstance(engine, AsyncEngine), "the request's session is bound to the engine"
    # The order service commits at the end of its unit of work. A session joined to our
    # transaction in "rollback_only" mode turns that commit into a flush, and its rollback into
    # ours: nothing is committed until the key's row is written too.
    try:
        async with (
            engine.connect() as connection,
            connection.begin(),
            AsyncSession(
                bind=connection, join_transaction_mode="rollback_only", expire_on_commit=False
            ) as joined,
        ):
            order = await place_order(joined, user, data)
            joined.add(
                IdempotencyKey(
                    user_id=user.id,
                    key=key,
                    request_hash=fingerprint,
                    order_id=order.id,
                    status_code=CREATED,
                )
            )
            await joined.flush()  # a twin's committed row with this key: IntegrityError
        # Leaving `connection.begin()` committed the order, its reservations and the key.
    except (IntegrityError, DomainError):
        # Our work is rolled back. Either a twin's key row refused ours (IntegrityError), or its
        # reservation took the last units (409): if a twin won, its answer is ours too.
        if (placed := await find_replay(session, user, key, fingerprint)) is not None:
            return placed
        raise
    # The products changed: drop cached pages, now that the change is committed.
    await cache.invalidate()
    return Placed(order, CREATED, replayed=False)


async def delete_expired_keys(
    session: AsyncSession, retention: timedelta = KEY_RETENTION, now: datetime | None = None
) -> int:
    """Forget keys older than `retention`; returns how many. Run it from a periodic job."""
    cutoff = (now or datetime.now(UTC)) - retention
    deleted = await IdempotencyKeyRepository(session).delete_created_before(cutoff)
    await session.commit()
    return deleted
