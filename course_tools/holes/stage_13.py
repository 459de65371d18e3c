"""Common mistakes in the holes of notebook 13 (events)."""

from course_tools.holes.mistakes import Mistake

MISTAKES = [
    Mistake(
        "13.same_transaction",
        "the event committed on its own",
        change=(
            "session.add(event)\n",
            ('session.add(event)\nawait session.commit()  # "make sure the event is saved"\n'),
        ),
        names="never commit it on its own",
    ),
    Mistake(
        "13.same_transaction",
        "the event made but never added",
        """
        return OutboxEvent(
            order_id=order.id,
            status=status.value,
            previous_status=previous.value if previous else None,
            payload=payload,
        )
        """,
        names="add an OutboxEvent to the session",
    ),
    Mistake(
        "13.inbox",
        "no inbox check",
        """
        async with transaction(session):
            await consumer.apply(session, event)
        return True
        """,
        names="look the event up in the consumer's inbox",
    ),
    Mistake(
        "13.inbox",
        "the inbox entry committed before the effect",
        """
        inbox = InboxRepository(session)
        if await inbox.has(consumer.name, event.id):
            return False
        inbox.record(consumer.name, event.id)
        await session.commit()
        async with transaction(session):
            await consumer.apply(session, event)
        return True
        """,
        names="never commit the inbox entry on its own",
    ),
]
