"""Stage 10: `python -m course_app.prestart` migrates the database and makes the first admin,
once, whoever runs it and however often; and it gives up with one clear line when the database
never answers."""

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from course_tools.paths import find_root
from course_tools.ports import free_port
from tests.stage_10_production.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, PRODUCTION_SECRET


def production_settings(database_url: str) -> Any:
    from course_app.settings import Settings

    return Settings(
        environment="production",
        database_url=database_url,
        secret_key=PRODUCTION_SECRET,
        first_admin_email=ADMIN_EMAIL.upper(),
        first_admin_password=ADMIN_PASSWORD,
    )


async def database_state(database_url: str) -> tuple[bool, list[tuple[str, str, str]]]:
    """(at head?, every user as (email, role, status))."""
    from course_app.core.migrations import schema_is_current
    from course_app.db import create_engine
    from course_app.models import User

    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            current = await schema_is_current(connection)
            rows = await connection.execute(select(User.email, User.role, User.status))
            return current, [(email, role.value, status.value) for email, role, status in rows]
    finally:
        await engine.dispose()


@pytest.mark.hole("10.first_admin")
async def test_prestart_migrates_a_fresh_database_and_makes_the_admin(fresh_url: str) -> None:
    """On an empty database: the schema at head, and the first admin, active, e-mail normalized,
    committed (make the admin inside `transaction(session)`)."""
    from course_app.prestart import prestart

    await prestart(production_settings(fresh_url), wait_seconds=5)
    assert await database_state(fresh_url) == (True, [(ADMIN_EMAIL, "admin", "active")])


@pytest.mark.hole("10.first_admin")
async def test_prestart_twice_changes_nothing_the_second_time(fresh_url: str) -> None:
    """Run again (every deployment does): still at head, still exactly one admin. An admin who
    exists already must be found by e-mail, not inserted again."""
    from course_app.prestart import prestart

    settings = production_settings(fresh_url)
    await prestart(settings, wait_seconds=5)
    first = await database_state(fresh_url)
    await prestart(settings, wait_seconds=5)
    assert await database_state(fresh_url) == first == (True, [(ADMIN_EMAIL, "admin", "active")])


@pytest.mark.hole("10.first_admin")
async def test_prestart_makes_an_existing_account_an_active_admin(fresh_url: str) -> None:
    """The first admin's address already belongs to an account (a suspended user): prestart
    promotes that account to an active admin, and keeps it the only one with that address."""
    from course_app.core.migrations import upgrade_to_head
    from course_app.db import create_engine, create_session_factory
    from course_app.enums import UserRole, UserStatus
    from course_app.models import User
    from course_app.prestart import prestart

    engine = create_engine(fresh_url)
    try:
        await upgrade_to_head(engine)
        async with create_session_factory(engine)() as session:
            session.add(
                User(
                    email=ADMIN_EMAIL,
                    hashed_password="x",
                    full_name="Someone",
                    role=UserRole.USER,
                    status=UserStatus.SUSPENDED,
                )
            )
            await session.commit()
    finally:
        await engine.dispose()
    await prestart(production_settings(fresh_url), wait_seconds=5)
    assert await database_state(fresh_url) == (True, [(ADMIN_EMAIL, "admin", "active")])


async def test_prestarts_at_the_same_moment_all_succeed(fresh_url: str) -> None:
    """Three prestarts on one fresh database at once (say, two deployments overlapping): they
    take turns for the schema, and the losing admin inserts are tolerated."""
    from course_app.prestart import prestart

    settings = production_settings(fresh_url)
    await asyncio.gather(*(prestart(settings, wait_seconds=5) for _ in range(3)))
    assert await database_state(fresh_url) == (True, [(ADMIN_EMAIL, "admin", "active")])


async def test_ensure_first_admin_tolerates_a_concurrent_insert(fresh_url: str) -> None:
    """Several processes insert the first admin at once: the unique index refuses all but one,
    and each loser finds the winner's row instead of failing."""
    from course_app.core.migrations import upgrade_to_head
    from course_app.db import create_engine, create_session_factory
    from course_app.models import User
    from course_app.services.admins import ensure_first_admin

    settings = production_settings(fresh_url)
    engine = create_engine(fresh_url)
    try:
        await upgrade_to_head(engine)
        session_factory = create_session_factory(engine)
        await asyncio.gather(*(ensure_first_admin(session_factory, settings) for _ in range(4)))
        async with session_factory() as session:
            assert await session.scalar(select(func.count()).select_from(User)) == 1
    finally:
        await engine.dispose()


def run_prestart(environment: dict[str, str], cwd: Path, *arguments: str) -> Any:
    root = find_root()
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(root), **environment}
    return subprocess.run(
        [sys.executable, "-m", "course_app.prestart", *arguments],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.heavy
def test_prestart_command_succeeds_on_a_fresh_database(tmp_path: Path) -> None:
    """The command itself, as a deployment runs it: exit code 0, and it says what it did."""
    database = tmp_path / "shop.db"
    result = run_prestart(
        {
            "ENVIRONMENT": "production",
            "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
            "SECRET_KEY": PRODUCTION_SECRET,
            "FIRST_ADMIN_EMAIL": ADMIN_EMAIL,
            "FIRST_ADMIN_PASSWORD": ADMIN_PASSWORD,
        },
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "the database is at the latest migration" in result.stderr
    assert f"the first admin {ADMIN_EMAIL} is ready" in result.stderr
    assert database.exists()


@pytest.mark.heavy
def test_prestart_gives_up_with_one_clear_line_when_the_database_never_answers(
    tmp_path: Path,
) -> None:
    """Nothing listens on the port: prestart retries for --wait seconds, then exits 1 with one
    line naming the database (password hidden) and the cause; no traceback."""
    port = free_port()
    url = f"postgresql+asyncpg://shop:hunter2-secret@127.0.0.1:{port}/shop"
    result = run_prestart({"DATABASE_URL": url}, tmp_path, "--wait", "2")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "hunter2-secret" not in result.stderr
    assert "waiting for the database" in result.stderr  # it did retry
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith(
        f"prestart failed: the database at postgresql+asyncpg://shop:***@127.0.0.1:{port}/shop"
        " did not answer within 2 s: "
    ), last_line


def run_migrate(database_url: str, cwd: Path, *arguments: str) -> Any:
    return subprocess.run(
        [sys.executable, "-m", "course_app.migrate", *arguments],
        env={
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": str(find_root()),
            "DATABASE_URL": database_url,
        },
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.heavy
def test_migrate_command_uses_the_service_settings(tmp_path: Path) -> None:
    """`python -m course_app.migrate` is Alembic's command line on DATABASE_URL, no alembic.ini."""
    from course_app.core.migrations import head_revisions

    url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    [head] = head_revisions()
    upgrade = run_migrate(url, tmp_path, "upgrade", "head")
    assert upgrade.returncode == 0, upgrade.stderr
    assert f"-> {head}" in upgrade.stderr
    current = run_migrate(url, tmp_path, "current")
    assert current.returncode == 0, current.stderr
    assert f"{head} (head)" in current.stdout
    assert not (tmp_path / "alembic.ini").exists()
