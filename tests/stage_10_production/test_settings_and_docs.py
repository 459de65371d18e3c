"""Stage 10: the production settings, and the API docs off in production unless turned on."""

import pytest
from pydantic import ValidationError

from tests.helpers import open_client

STRONG_SECRET = "x" * 40
DOC_PATHS = ("/docs", "/redoc", "/openapi.json")


def production(**overrides):
    from course_app.settings import Settings

    values = {"environment": "production", "secret_key": STRONG_SECRET}
    return Settings(**(values | overrides))


def test_defaults() -> None:
    """Title "course_app", a version, docs decided by the environment, no metrics, INFO logs."""
    from course_app.settings import Settings

    settings = Settings(environment="test")
    assert settings.app_title == "course_app"
    assert settings.app_version
    assert settings.docs_enabled is None
    assert settings.metrics_enabled is False
    assert settings.log_level == "INFO"


def test_fields_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each new field is read from its upper-case environment variable; the level in any case."""
    from course_app.settings import Settings

    for name, value in {
        "APP_TITLE": "Shop API",
        "APP_VERSION": "2.3.4",
        "DOCS_ENABLED": "true",
        "METRICS_ENABLED": "1",
        "LOG_LEVEL": "warning",
    }.items():
        monkeypatch.setenv(name, value)
    settings = Settings(environment="test")
    assert (settings.app_title, settings.app_version) == ("Shop API", "2.3.4")
    assert settings.docs_enabled is True and settings.metrics_enabled is True
    assert settings.log_level == "WARNING"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("log_level", "LOUD"),
        ("log_level", ""),
        ("metrics_enabled", "perhaps"),
        ("docs_enabled", "sometimes"),
        ("app_title", ""),
        ("app_version", ""),
    ],
)
def test_bad_values_fail_naming_the_field(field: str, value: str) -> None:
    from course_app.settings import Settings

    with pytest.raises(ValidationError) as caught:
        Settings(environment="test", **{field: value})
    assert [error["loc"] for error in caught.value.errors()] == [(field,)]


def test_debug_logs_are_refused_in_production() -> None:
    """At DEBUG the database driver logs statements with their values: not in production."""
    with pytest.raises(ValidationError) as caught:
        production(log_level="DEBUG")
    assert [error["loc"] for error in caught.value.errors()] == [("log_level",)]
    assert production(log_level="INFO").log_level == "INFO"


@pytest.mark.parametrize(
    ("environment", "docs_enabled", "served"),
    [
        ("development", None, True),
        ("test", None, True),
        ("production", None, False),
        ("production", True, True),
        ("test", False, False),
    ],
)
async def test_docs_are_served_unless_production(
    make_app, environment: str, docs_enabled: bool | None, served: bool
) -> None:
    """/docs, /redoc and /openapi.json: on outside production, off in it, unless a setting says."""
    overrides = {"environment": environment, "docs_enabled": docs_enabled}
    if environment == "production":
        overrides["secret_key"] = STRONG_SECRET
    app = make_app(**overrides)
    async with open_client(app) as client:
        for path in DOC_PATHS:
            response = await client.get(path)
            assert response.status_code == (200 if served else 404), path


async def test_title_and_version_come_from_settings(make_app) -> None:
    app = make_app(app_title="Shop API", app_version="2.3.4")
    async with open_client(app) as client:
        info = (await client.get("/openapi.json")).json()["info"]
    assert (info["title"], info["version"]) == ("Shop API", "2.3.4")


async def test_allow_header_of_405_without_the_openapi_route(make_app) -> None:
    """The 405 handler builds `Allow` from the OpenAPI document; it still does when the document
    is not served."""
    app = make_app(docs_enabled=False)
    async with open_client(app) as client:
        assert (await client.get("/openapi.json")).status_code == 404
        response = await client.delete("/users/me")
        assert response.status_code == 405
        assert response.headers["allow"] == "GET, PATCH"
        response = await client.put("/products")
        assert response.status_code == 405
        assert response.headers["allow"] == "GET, POST"
