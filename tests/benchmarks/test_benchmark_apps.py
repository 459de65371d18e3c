"""Benchmark 2's reference apps answer what its report says they answer."""

import importlib
import json
from pathlib import Path
from types import ModuleType

import httpx
import pytest
from asgi_lifespan import LifespanManager

PAGE = {"items": [], "total": 0, "page": 1, "per_page": 20, "pages": 0}


def load_apps(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str) -> ModuleType:
    """benchmarks.database_floor_app, imported afresh: it and bare_app read the page on import."""
    body_path = tmp_path / "body.json"
    body_path.write_text(json.dumps(PAGE), encoding="utf-8")
    monkeypatch.setenv("BARE_APP_BODY", str(body_path))
    monkeypatch.setenv("ENVIRONMENT", "test")
    monkeypatch.setenv("DATABASE_URL", database_url)
    importlib.reload(importlib.import_module("benchmarks.bare_app"))
    return importlib.reload(importlib.import_module("benchmarks.database_floor_app"))


async def get_products(module: ModuleType) -> httpx.Response:
    async with LifespanManager(module.app) as manager:
        transport = httpx.ASGITransport(app=manager.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get("/products")


async def test_the_database_floor_answers_the_bare_page(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sqlite_url: str
) -> None:
    response = await get_products(load_apps(monkeypatch, tmp_path, sqlite_url))
    assert response.status_code == 200
    assert response.json() == PAGE


async def test_the_database_floor_reads_the_database_on_every_request(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A folder that does not exist: SQLite cannot open the file, so a route that really asks
    # the database fails, and one that skipped it would still answer 200.
    unreachable = f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'bench.db'}"
    response = await get_products(load_apps(monkeypatch, tmp_path, unreachable))
    assert response.status_code == 500
