"""Stage 10: the migrations build exactly the models' schema, on SQLite and PostgreSQL."""

import shutil
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import AbstractContextManager, ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, insert, inspect
from sqlalchemy.exc import IntegrityError, SAWarning

from tests.stage_10_production.schema_snapshot import schema_snapshot


@pytest.fixture
async def engine(fresh_url: str) -> AsyncIterator[Any]:
    from course_app.db import create_engine

    engine = create_engine(fresh_url)
    yield engine
    await engine.dispose()


def differences_from_models(connection: Connection) -> list[Any]:
    """What `revision --autogenerate` would write: nothing, when the schema equals the models."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from course_app.models import Base

    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, Base.metadata)


def sqlite_cannot_compare_the_email_index(dialect: str) -> AbstractContextManager[Any]:
    """On SQLite, reflection skips expression indexes, and Alembic says it cannot compare them:
    that is why the initial revision adds uq_users_email_lower by hand. PostgreSQL compares it."""
    stack = ExitStack()
    if dialect == "sqlite":
        stack.enter_context(pytest.warns(SAWarning, match="uq_users_email_lower"))
        stack.enter_context(pytest.warns(UserWarning, match="uq_users_email_lower"))
    return stack


def user_row(email: str) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "id": uuid.uuid4(),
        "email": email,
        "hashed_password": "not-a-real-hash",
        "full_name": "Somebody",
        "role": "user",
        "status": "active",
        "is_verified": False,
        "created_at": now,
        "updated_at": now,
    }


async def test_upgrading_an_empty_database_gives_exactly_the_models_schema(engine: Any) -> None:
    """upgrade head on an empty database: Alembic finds no difference from the models, and the
    database records the very same tables, columns, constraints and indexes as create_all's."""
    from course_app.core.migrations import schema_is_current, upgrade_to_head
    from course_app.models import Base

    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
        from_models = await connection.run_sync(schema_snapshot)
        await connection.run_sync(Base.metadata.drop_all)

    await upgrade_to_head(engine)
    async with engine.connect() as connection:
        assert await schema_is_current(connection)
        with sqlite_cannot_compare_the_email_index(engine.dialect.name):
            assert await connection.run_sync(differences_from_models) == []
        assert await connection.run_sync(schema_snapshot) == from_models


async def test_the_migrated_schema_refuses_the_same_email_in_another_case(engine: Any) -> None:
    """The hand-added index on lower(email) exists after upgrading: "A@x.com" after "a@x.com" is
    refused by the database itself, even for rows written without the ORM."""
    from course_app.core.migrations import upgrade_to_head
    from course_app.models import User

    await upgrade_to_head(engine)
    if engine.dialect.name == "postgresql":  # SQLite cannot reflect expression indexes
        async with engine.connect() as connection:
            indexes = await connection.run_sync(lambda sync: inspect(sync).get_indexes("users"))
        [index] = [index for index in indexes if index["name"] == "uq_users_email_lower"]
        assert index["unique"] and index["expressions"][0].startswith("lower(email")
    async with engine.begin() as connection:
        await connection.execute(insert(User.__table__), [user_row("a@x.com")])
    with pytest.raises(IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(insert(User.__table__), [user_row("A@x.com")])


async def test_downgrade_to_base_then_upgrade_to_head(engine: Any) -> None:
    """downgrade base removes every table (the version table stays, empty); upgrade head brings
    back the same schema."""
    from alembic import command

    from course_app.core.migrations import run_alembic, schema_is_current, upgrade_to_head

    await upgrade_to_head(engine)
    async with engine.connect() as connection:
        first = await connection.run_sync(schema_snapshot)

    await run_alembic(engine, command.downgrade, "base")
    async with engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        assert tables == ["alembic_version"]
        assert not await schema_is_current(connection)

    await upgrade_to_head(engine)
    async with engine.connect() as connection:
        assert await schema_is_current(connection)
        assert await connection.run_sync(schema_snapshot) == first


async def test_autogenerate_writes_the_custom_type_with_its_import(tmp_path: Path) -> None:
    """A revision autogenerated with our env.py imports UTCDateTime (left alone, Alembic writes
    `course_app.models.UTCDateTime` with no import), so it runs."""
    from alembic import command

    import course_app
    from course_app.core.migrations import alembic_config
    from course_app.db import create_engine

    # The migration environment without its revisions: autogenerate writes a first one here.
    scripts = tmp_path / "migrations"
    shutil.copytree(
        Path(course_app.__file__).parent / "migrations",
        scripts,
        ignore=shutil.ignore_patterns("versions", "__pycache__"),
    )
    (scripts / "versions").mkdir()

    def configured(connection: Connection) -> Any:
        config = alembic_config(connection)
        config.set_main_option("script_location", str(scripts))
        return config

    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
    try:
        async with engine.begin() as connection:
            with pytest.warns(UserWarning, match="uq_users_email_lower"):
                await connection.run_sync(
                    lambda sync: command.revision(configured(sync), "first", autogenerate=True)
                )
        [revision] = (scripts / "versions").glob("*.py")
        source = revision.read_text()
        assert "from course_app.models import UTCDateTime" in source
        assert "course_app.models.UTCDateTime" not in source

        async with engine.begin() as connection:
            await connection.run_sync(lambda sync: command.upgrade(configured(sync), "head"))
            tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        assert {"users", "products", "orders", "order_items"} <= set(tables)
    finally:
        await engine.dispose()


def test_sql_mode_prints_every_step_to_head_without_connecting() -> None:
    """`python -m course_app.migrate upgrade head --sql` (offline mode) prints the SQL of every
    migration, up to the head revision, for a review or a DBA. Nothing connects: the PostgreSQL
    named here does not exist."""
    from alembic.script import ScriptDirectory

    from course_app.core.migrations import alembic_config
    from course_tools.paths import find_root

    environment = {
        "PATH": "",
        "PYTHONPATH": str(find_root()),
        "DATABASE_URL": "postgresql+asyncpg://nobody@127.0.0.1:1/nowhere",
    }
    command = [sys.executable, "-m", "course_app.migrate", "upgrade", "head", "--sql"]
    result = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    script = result.stdout
    assert "CREATE TABLE users" in script
    assert "CREATE UNIQUE INDEX uq_users_email_lower ON users (lower(email))" in script
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    # The last statement on alembic_version stamps the head (an INSERT for the first revision,
    # an UPDATE for each one after it).
    stamps = [line for line in script.splitlines() if line.startswith(("INSERT", "UPDATE"))]
    assert "alembic_version" in stamps[-1] and f"'{head}'" in stamps[-1]
    assert script.rstrip().endswith("COMMIT;")
