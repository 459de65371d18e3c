"""Common mistakes in the holes of notebook 03 (models)."""

from course_tools.holes.mistakes import Mistake

MISTAKES = [
    Mistake(
        "03.sqlite_pragmas",
        "foreign keys left off",
        change=(
            'cursor.execute("PRAGMA foreign_keys=ON")\n',
            "",
        ),
        names="PRAGMA foreign_keys=ON",
    ),
    Mistake(
        "03.sqlite_pragmas",
        "the busy timeout in seconds",
        change=(
            'cursor.execute(f"PRAGMA busy_timeout={LOCK_WAIT_MS}")\n',
            'cursor.execute(f"PRAGMA busy_timeout={LOCK_WAIT_MS // 1000}")\n',
        ),
        names="milliseconds, not seconds",
    ),
    Mistake(
        "03.session_factory",
        "objects expire on commit",
        """
        return async_sessionmaker(engine)
        """,
        names="expire_on_commit=False",
    ),
    Mistake(
        "03.session_factory",
        "a session instead of a factory",
        """
        return AsyncSession(engine, expire_on_commit=False)
        """,
        names="returns a factory",
    ),
    Mistake(
        "03.utc_result",
        "naive values returned as they are",
        """
        return value
        """,
        names="replace(tzinfo=UTC)",
    ),
    Mistake(
        "03.utc_result",
        "naive values converted with astimezone",
        change=(
            ("if value.tzinfo is None:\n    return value.replace(tzinfo=UTC)\n"),
            "",
        ),
        names="local time",
    ),
]
