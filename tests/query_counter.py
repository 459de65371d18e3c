"""Count the SQL statements an engine runs: the tool behind query budgets."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event


class QueryLog(list[str]):
    """The statements run inside a `count_queries` block, in order."""

    @property
    def count(self) -> int:
        return len(self)


@contextmanager
def count_queries(engine: Any) -> Iterator[QueryLog]:
    """Record every statement `engine` (sync or async) sends to the database inside the block.

    >>> with count_queries(engine) as queries:
    ...     await client.get("/orders")
    >>> assert queries.count <= 4, queries
    """
    sync_engine = getattr(engine, "sync_engine", engine)
    log = QueryLog()

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        log.append(statement)

    event.listen(sync_engine, "before_cursor_execute", record)
    try:
        yield log
    finally:
        event.remove(sync_engine, "before_cursor_execute", record)
