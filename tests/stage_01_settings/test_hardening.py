"""Stage 01, hardening: start-up errors name the field and never print a secret; hosts and proxies.

API.md, "Added: hardening", Settings and Client address.
"""

import pytest
from pydantic import ValidationError

from course_app.settings import Settings

STRONG_SECRET = "x" * 40
STRONG_ADMIN_PASSWORD = "Str0ng!Passw0rd"


def error_fields(error: ValidationError) -> set[str]:
    return {str(item["loc"][0]) if item["loc"] else "" for item in error.errors()}


def shown(error: ValidationError) -> str:
    """Everything a start-up failure prints or logs about the error."""
    return f"{error}\n{error!r}"


def leaks(secret: str, text: str) -> bool:
    """Whether `text` shows the secret, or any 8 characters of it in a row (a truncated echo)."""
    window = min(8, len(secret))
    return any(secret[i : i + window] in text for i in range(len(secret) - window + 1))


def production(**overrides: object) -> Settings:
    values: dict[str, object] = {"environment": "production", "secret_key": STRONG_SECRET}
    values.update(overrides)
    return Settings(**values)


def test_new_settings_have_their_defaults() -> None:
    """max_body_bytes defaults to 1 MiB; trusted_proxies defaults to nobody."""
    settings = Settings()
    assert settings.max_body_bytes == 1024 * 1024
    assert settings.trusted_proxies == []


def test_new_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """MAX_BODY_BYTES is read as an int; TRUSTED_PROXIES is comma-separated like ALLOWED_HOSTS."""
    monkeypatch.setenv("MAX_BODY_BYTES", "2048")
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.1, 10.0.0.2")
    settings = Settings()
    assert settings.max_body_bytes == 2048
    assert settings.trusted_proxies == ["10.0.0.1", "10.0.0.2"]


def test_a_short_production_secret_is_named_but_not_printed() -> None:
    """The error names secret_key and does not echo the refused value."""
    with pytest.raises(ValidationError) as caught:
        Settings(environment="production", secret_key="sh0rt-K3y!")
    assert error_fields(caught.value) == {"secret_key"}
    assert "secret_key" in str(caught.value)
    assert not leaks("sh0rt-K3y!", shown(caught.value))


@pytest.mark.parametrize(
    "password",
    [
        "a",  # far too short
        "Qz7!vw",  # too short
        "qzvxkwmt7!",  # no upper case
        "QZVXKWMT7!",  # no lower case
        "Qzvxkwmt!!",  # no digit
        "Qzvxkwmt77",  # no symbol
        "Qz7!" + "w" * 125,  # 129 characters
    ],
)
def test_production_refuses_a_weak_first_admin_password(password: str) -> None:
    """In production the first admin's password must follow the password rules; it is not echoed."""
    with pytest.raises(ValidationError) as caught:
        production(first_admin_email="admin@example.com", first_admin_password=password)
    assert "first_admin_password" in error_fields(caught.value)
    if len(password) > 1:  # a one-letter value would match the text around it
        assert not leaks(password, shown(caught.value))


def test_production_accepts_a_sound_configuration() -> None:
    """A strong secret, a strong first admin password and real host names start fine."""
    settings = production(
        allowed_hosts=["api.example.com"],
        first_admin_email="admin@example.com",
        first_admin_password=STRONG_ADMIN_PASSWORD,
    )
    assert settings.allowed_hosts == ["api.example.com"]


# Random-looking, so no 8 characters of them occur in an ordinary error message.
DATABASE_PASSWORD = "pg-Zq8wLx3v"
REDIS_PASSWORD = "rd-Yt5nMb7k"
ADMIN_PASSWORD = "Adm1n!Kv9Qx2"
SECRET_KEY = "sk-Wm4rTj8pHx"


@pytest.mark.parametrize(
    ("settings", "secret"),
    [
        # The model-level check (email and password go together) sees every value at once.
        ({"first_admin_password": ADMIN_PASSWORD}, ADMIN_PASSWORD),
        (
            {
                "first_admin_email": "admin@example.com",
                "database_url": f"postgresql+asyncpg://u:{DATABASE_PASSWORD}@h/d",
            },
            DATABASE_PASSWORD,
        ),
        (
            {
                "first_admin_email": "admin@example.com",
                "redis_url": f"redis://:{REDIS_PASSWORD}@c",
            },
            REDIS_PASSWORD,
        ),
        ({"first_admin_email": "admin@example.com", "secret_key": SECRET_KEY}, SECRET_KEY),
        # A field error next to secrets.
        (
            {
                "environment": "production",
                "secret_key": "sh0rt-K3y!",
                "database_url": f"postgresql+asyncpg://u:{DATABASE_PASSWORD}@h/d",
            },
            "sh0rt-K3y!",
        ),
        (
            {
                "access_token_expire_minutes": "soon",
                "database_url": f"postgresql+asyncpg://u:{DATABASE_PASSWORD}@h/d",
            },
            DATABASE_PASSWORD,
        ),
    ],
)
def test_no_settings_error_prints_a_secret(settings: dict[str, object], secret: str) -> None:
    """Whatever else is wrong, the error text never contains a secret that was passed in."""
    with pytest.raises(ValidationError) as caught:
        Settings(**settings)
    assert not leaks(secret, shown(caught.value))


def test_secrets_from_the_environment_are_not_printed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same holds for values read from environment variables."""
    monkeypatch.setenv("DATABASE_URL", f"postgresql+asyncpg://u:{DATABASE_PASSWORD}@h/d")
    monkeypatch.setenv("REDIS_URL", f"redis://:{REDIS_PASSWORD}@cache:6379/0")
    monkeypatch.setenv("FIRST_ADMIN_PASSWORD", ADMIN_PASSWORD)  # without FIRST_ADMIN_EMAIL
    with pytest.raises(ValidationError) as caught:
        Settings()
    for secret in (DATABASE_PASSWORD, REDIS_PASSWORD, ADMIN_PASSWORD):
        assert not leaks(secret, shown(caught.value))


@pytest.mark.hole("01.usable_hosts")
@pytest.mark.parametrize("environment", ["development", "test", "production"])
def test_every_environment_refuses_empty_allowed_hosts(environment: str) -> None:
    """An empty allowed_hosts would answer every request 400: refused at start-up, naming the field."""
    with pytest.raises(ValidationError) as caught:
        Settings(environment=environment, secret_key=STRONG_SECRET, allowed_hosts=[])
    assert "allowed_hosts" in error_fields(caught.value)


@pytest.mark.hole("01.usable_hosts")
@pytest.mark.parametrize("value", ["", " , "])
def test_empty_allowed_hosts_from_the_environment_is_refused(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    """ALLOWED_HOSTS="" (or only separators) is refused too, naming allowed_hosts."""
    monkeypatch.setenv("ALLOWED_HOSTS", value)
    with pytest.raises(ValidationError) as caught:
        Settings()
    assert "allowed_hosts" in error_fields(caught.value)


@pytest.mark.hole("01.usable_hosts")
@pytest.mark.parametrize("hosts", [["*"], ["api.example.com", "*"]])
def test_production_refuses_a_wildcard_host(hosts: list[str]) -> None:
    """In production "*" anywhere in allowed_hosts is refused, alone or beside real names: list the
    real host names."""
    with pytest.raises(ValidationError) as caught:
        production(allowed_hosts=hosts)
    assert "allowed_hosts" in error_fields(caught.value)


@pytest.mark.hole("01.usable_hosts")
@pytest.mark.parametrize("environment", ["development", "test"])
def test_a_wildcard_host_is_allowed_outside_production(environment: str) -> None:
    """Outside production "*" in allowed_hosts is allowed: only production refuses it."""
    settings = Settings(environment=environment, secret_key=STRONG_SECRET, allowed_hosts=["*"])
    assert settings.allowed_hosts == ["*"]
