"""Common mistakes in the holes of notebook 11 (idempotency)."""

from course_tools.holes.mistakes import Mistake

MISTAKES = [
    Mistake(
        "11.replay",
        "the key looked up for every user",
        """
        from sqlalchemy import select

        by_key = select(IdempotencyKey).where(IdempotencyKey.key == key)
        remembered = await session.scalar(by_key)
        if remembered is None:
            return None
        if remembered.request_hash != fingerprint:
            raise IdempotencyKeyReusedError("this Idempotency-Key was already used")
        order = await session.get(Order, remembered.order_id)
        if order is None:
            return None
        return Placed(order, remembered.status_code, replayed=True)
        """,
        names="never by the key alone",
    ),
    Mistake(
        "11.replay",
        "the body not compared",
        """
        remembered = await session.get(IdempotencyKey, (user.id, key))
        if remembered is None:
            return None
        order = await session.get(Order, remembered.order_id)
        if order is None:
            return None
        return Placed(order, remembered.status_code, replayed=True)
        """,
        names="compare the stored request hash",
    ),
    Mistake(
        "11.lost_race",
        "the duplicate's error passed on",
        """
        raise
        """,
        names="lost the race",
    ),
    Mistake(
        "11.lost_race",
        "a real failure answered with nothing",
        """
        return await find_replay(session, user, key, fingerprint)
        """,
        names="re-raise",
    ),
]
