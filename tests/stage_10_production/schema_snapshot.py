"""The whole schema of a database as plain data, to compare two databases exactly.

Alembic's compare_metadata ignores CHECK constraints and, on SQLite, expression indexes; this
snapshot sees everything the database itself records, except Alembic's own version table.
"""

from typing import Any

from sqlalchemy import Connection, text

VERSION_TABLE = "alembic_version"


def _sqlite(connection: Connection) -> dict[str, Any]:
    # SQLite keeps each table's and index's CREATE statement. SQLAlchemy writes one column or
    # constraint per line, so sorted lines compare the definitions whatever their order.
    rows = connection.execute(
        text("SELECT type, name, sql FROM sqlite_master WHERE tbl_name != :version"),
        {"version": VERSION_TABLE},
    )
    return {
        f"{kind} {name}": sorted(line.strip().rstrip(",") for line in (sql or "").splitlines())
        for kind, name, sql in rows
    }


def _postgresql(connection: Connection) -> dict[str, Any]:
    queries = {
        "columns": "SELECT table_name, column_name, data_type, character_maximum_length,"
        " numeric_precision, numeric_scale, is_nullable, column_default"
        " FROM information_schema.columns"
        " WHERE table_schema = 'public' AND table_name != :version",
        "constraints": "SELECT conrelid::regclass::text AS table_name, conname,"
        " pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text != :version",
        "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes"
        " WHERE schemaname = 'public' AND tablename != :version",
    }
    return {
        part: sorted(
            tuple(row) for row in connection.execute(text(sql), {"version": VERSION_TABLE})
        )
        for part, sql in queries.items()
    }


def schema_snapshot(connection: Connection) -> dict[str, Any]:
    if connection.dialect.name == "sqlite":
        return _sqlite(connection)
    return _postgresql(connection)
