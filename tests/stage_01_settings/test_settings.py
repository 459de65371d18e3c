"""Stage 01: settings from keyword arguments, the environment and a `.env` file."""

from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from course_app.settings import DEVELOPMENT_SECRET_KEY, Settings, get_settings

STRONG_SECRET = "x" * 40


def error_fields(error: ValidationError) -> set[str]:
    return {str(item["loc"][0]) if item["loc"] else "" for item in error.errors()}


def test_defaults_match_the_contract() -> None:
    """With nothing configured, every field has the default that docs/api.md gives."""
    settings = Settings()
    assert settings.environment == "development"
    assert settings.database_url.startswith("sqlite+aiosqlite:///")
    assert settings.access_token_expire_minutes == 30
    assert settings.allowed_hosts == ["localhost", "127.0.0.1", "test", "testserver"]
    assert settings.allowed_origins == ["http://localhost:3000", "http://localhost:8000"]
    assert settings.first_admin_email is None and settings.first_admin_password is None
    assert (settings.rate_limit_requests, settings.rate_limit_window_seconds) == (100, 60)
    assert not settings.redis_url


def test_keyword_arguments_set_fields() -> None:
    """Every field can be passed as a keyword argument."""
    settings = Settings(environment="test", access_token_expire_minutes=5, rate_limit_requests=3)
    assert (settings.environment, settings.access_token_expire_minutes) == ("test", 5)
    assert settings.rate_limit_requests == 3


def test_environment_variables_override_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each field is read from the upper-case environment variable of the same name, no prefix."""
    monkeypatch.setenv("ENVIRONMENT", "test")
    monkeypatch.setenv("DATABASE_URL", "sqlite+aiosqlite:///./other.db")
    monkeypatch.setenv("ACCESS_TOKEN_EXPIRE_MINUTES", "45")
    monkeypatch.setenv("RATE_LIMIT_WINDOW_SECONDS", "5")
    monkeypatch.setenv("REDIS_URL", "redis://localhost:6379/0")
    settings = Settings()
    assert settings.environment == "test"
    assert settings.database_url == "sqlite+aiosqlite:///./other.db"
    assert settings.access_token_expire_minutes == 45
    assert settings.rate_limit_window_seconds == 5
    assert settings.redis_url == "redis://localhost:6379/0"


def test_comma_separated_origins_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """ALLOWED_ORIGINS may be a comma-separated string; spaces around items are dropped."""
    monkeypatch.setenv("ALLOWED_ORIGINS", "https://shop.example, https://admin.example")
    monkeypatch.setenv("ALLOWED_HOSTS", "api.example,localhost")
    settings = Settings()
    assert settings.allowed_origins == ["https://shop.example", "https://admin.example"]
    assert settings.allowed_hosts == ["api.example", "localhost"]


def test_lists_can_be_passed_as_lists() -> None:
    """A real list is kept as it is."""
    assert Settings(allowed_origins=["https://a.example"]).allowed_origins == ["https://a.example"]


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    """A `.env` file in the working directory is read."""
    (tmp_path / ".env").write_text("ENVIRONMENT=test\nACCESS_TOKEN_EXPIRE_MINUTES=12\n")
    settings = Settings()
    assert (settings.environment, settings.access_token_expire_minutes) == ("test", 12)


def test_environment_beats_dotenv_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real environment variable wins over the `.env` file."""
    (tmp_path / ".env").write_text("ACCESS_TOKEN_EXPIRE_MINUTES=12\n")
    monkeypatch.setenv("ACCESS_TOKEN_EXPIRE_MINUTES", "7")
    assert Settings().access_token_expire_minutes == 7


def test_unknown_dotenv_keys_are_ignored(tmp_path: Path) -> None:
    """Other tools' keys in `.env` do not break start-up."""
    (tmp_path / ".env").write_text("SOME_OTHER_TOOL=1\n")
    assert Settings().environment == "development"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("environment", "staging"),
        ("access_token_expire_minutes", "soon"),
        ("access_token_expire_minutes", 0),
        ("rate_limit_requests", -1),
        ("rate_limit_window_seconds", 0),
        ("first_admin_email", "not-an-email"),
    ],
)
def test_bad_values_name_their_field(field: str, value: object) -> None:
    """A bad value fails at start-up with an error that names the field."""
    extra = {"first_admin_password": "Admin-pass-123"} if field == "first_admin_email" else {}
    with pytest.raises(ValidationError) as caught:
        Settings(**{field: value}, **extra)
    assert field in error_fields(caught.value)


def test_bad_environment_variable_names_its_field(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bad value from the environment also names the field."""
    monkeypatch.setenv("ACCESS_TOKEN_EXPIRE_MINUTES", "thirty")
    with pytest.raises(ValidationError) as caught:
        Settings()
    assert error_fields(caught.value) == {"access_token_expire_minutes"}


def test_secret_key_is_hidden() -> None:
    """secret_key is a SecretStr: repr, str and JSON never show it."""
    settings = Settings(secret_key="a-very-private-value")
    assert isinstance(settings.secret_key, SecretStr)
    assert settings.secret_key.get_secret_value() == "a-very-private-value"
    for shown in (repr(settings), str(settings), settings.model_dump_json()):
        assert "a-very-private-value" not in shown


@pytest.mark.hole("01.weak_secret")
def test_production_refuses_the_development_secret() -> None:
    """In production the built-in development secret is refused, naming secret_key. Compare the
    text from `get_secret_value()`: a SecretStr never equals a plain string."""
    with pytest.raises(ValidationError) as caught:
        Settings(environment="production")
    assert error_fields(caught.value) == {"secret_key"}
    with pytest.raises(ValidationError):
        Settings(environment="production", secret_key=DEVELOPMENT_SECRET_KEY)


@pytest.mark.hole("01.weak_secret")
def test_production_refuses_a_short_secret() -> None:
    """In production a secret shorter than 32 characters is refused too, not only the development
    default."""
    with pytest.raises(ValidationError) as caught:
        Settings(environment="production", secret_key="short-secret")
    assert error_fields(caught.value) == {"secret_key"}


def test_production_accepts_a_strong_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    """A long secret from the environment is fine in production."""
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("SECRET_KEY", STRONG_SECRET)
    assert Settings().secret_key.get_secret_value() == STRONG_SECRET


@pytest.mark.hole("01.weak_secret")
@pytest.mark.parametrize("environment", ["development", "test"])
def test_development_default_is_fine_outside_production(environment: str) -> None:
    """Outside production the development secret is allowed, so the course runs out of the box:
    check `environment` first."""
    settings = Settings(environment=environment)
    assert settings.secret_key.get_secret_value() == DEVELOPMENT_SECRET_KEY


def test_first_admin_needs_both_fields() -> None:
    """first_admin_email without first_admin_password (or the reverse) is refused."""
    with pytest.raises(ValidationError):
        Settings(first_admin_email="admin@example.com")
    with pytest.raises(ValidationError):
        Settings(first_admin_password="Admin-pass-123")
    settings = Settings(first_admin_email="admin@example.com", first_admin_password="Admin-pass-1")
    assert settings.first_admin_password is not None
    assert "Admin-pass-1" not in repr(settings)


def test_get_settings_is_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    """get_settings() builds Settings once and then returns the same object."""
    first = get_settings()
    monkeypatch.setenv("ACCESS_TOKEN_EXPIRE_MINUTES", "99")
    assert get_settings() is first
    get_settings.cache_clear()
    assert get_settings().access_token_expire_minutes == 99


async def test_get_settings_works_as_a_fastapi_dependency() -> None:
    """get_settings can be used with Depends(get_settings) in a FastAPI route."""
    from typing import Annotated

    import httpx
    from fastapi import Depends, FastAPI

    app = FastAPI()

    @app.get("/environment")
    def environment(settings: Annotated[Settings, Depends(get_settings)]) -> dict[str, str]:
        return {"environment": settings.environment}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/environment")
    assert response.json() == {"environment": "development"}
