# Written by notebooks/14_services.ipynb: edit the notebook, not this file.
"""Application settings, read from keyword arguments, the environment and a `.env` file."""

from functools import lru_cache
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    EmailStr,
    Field,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from course_app.password_rules import password_problems

DEVELOPMENT_SECRET_KEY = "development-only-secret-key-change-me"

Environment = Literal["development", "test", "production"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
CommaSeparatedList = Annotated[list[str], NoDecode]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        validate_default=True,
        # Errors name the field but never echo its value: a rejected secret must not reach a log.
        hide_input_in_errors=True,
    )

    environment: Environment = "development"
    database_url: str = "sqlite+aiosqlite:///./course_app.db"
    # The connection pool of each worker (notebook 09). An exhausted pool waits
    # database_pool_timeout seconds for a connection, then the request gets 503.
    database_pool_size: PositiveInt = 5
    database_max_overflow: NonNegativeInt = 10
    database_pool_timeout: PositiveFloat = 30.0
    database_pool_recycle: Annotated[int, Field(ge=-1)] = 1800  # seconds; -1 never recycles
    database_pool_pre_ping: bool = True  # test a connection before lending it
    secret_key: SecretStr = SecretStr(DEVELOPMENT_SECRET_KEY)
    access_token_expire_minutes: PositiveInt = 30

    allowed_hosts: CommaSeparatedList = ["localhost", "127.0.0.1", "test", "testserver"]
    allowed_origins: CommaSeparatedList = ["http://localhost:3000", "http://localhost:8000"]
    # Proxies whose X-Forwarded-For we believe; nobody's, unless the deployment says so.
    trusted_proxies: CommaSeparatedList = []

    first_admin_email: EmailStr | None = None
    first_admin_password: SecretStr | None = None

    rate_limit_requests: PositiveInt = 100
    rate_limit_window_seconds: PositiveInt = 60

    redis_url: str | None = None

    # Order confirmations (notebook 09): smtp://user:password@host:port or smtps://...;
    # empty sends no email.
    smtp_url: str | None = None
    mail_from: EmailStr = "shop@example.com"
    # The mail service (notebook 14): when set, confirmations go to it as JSON over HTTP, and
    # smtp_url is not used. Times are in seconds.
    mail_service_url: str | None = None
    mail_service_connect_timeout: PositiveFloat = 1.0  # also the wait for a pooled connection
    mail_service_timeout: PositiveFloat = 5.0  # each read or write of one request
    mail_service_attempts: Annotated[int, Field(ge=1, le=10)] = 4  # 1 never retries
    mail_service_backoff: PositiveFloat = 0.2  # the first retry waits up to this; it doubles
    mail_service_backoff_max: PositiveFloat = 5.0
    mail_service_circuit_failures: PositiveInt = 5  # failures in a row that open the circuit
    mail_service_circuit_reset: PositiveFloat = 30.0  # open this long, then one trial call

    max_body_bytes: PositiveInt = 1024 * 1024

    # Production (notebook 10). The title and version head the OpenAPI document.
    app_title: Annotated[str, Field(min_length=1)] = "course_app"
    app_version: Annotated[str, Field(min_length=1)] = "1.0.0"
    # /docs, /redoc and /openapi.json. None: on, except in production.
    docs_enabled: bool | None = None
    # GET /metrics for Prometheus; off unless asked for.
    metrics_enabled: bool = False
    log_level: LogLevel = "INFO"

    @property
    def docs_are_served(self) -> bool:
        if self.docs_enabled is None:
            return self.environment != "production"
        return self.docs_enabled

    @field_validator("log_level", mode="before")
    @classmethod
    def log_level_in_capitals(cls, value: object) -> object:
        # LOG_LEVEL=info is as clear as LOG_LEVEL=INFO.
        return value.upper() if isinstance(value, str) else value

    @field_validator("log_level")
    @classmethod
    def no_debug_logs_in_production(cls, value: LogLevel, info: ValidationInfo) -> LogLevel:
        # At DEBUG, libraries log what they send: aiosqlite logs each statement with its values,
        # a new user's password hash among them.
        if value == "DEBUG" and info.data.get("environment") == "production":
            raise ValueError("DEBUG logs the values of SQL statements: use INFO in production")
        return value

    @field_validator("allowed_hosts", "allowed_origins", "trusted_proxies", mode="before")
    @classmethod
    def split_comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("smtp_url")
    @classmethod
    def smtp_url_is_usable(cls, value: str | None) -> str | None:
        if not value:
            return None
        url = urlsplit(value)
        if url.scheme not in ("smtp", "smtps") or not url.hostname:
            # The message never repeats the URL: it may hold a password.
            raise ValueError("must look like smtp://host:port or smtps://user:password@host:port")
        return value

    @field_validator("mail_service_url")
    @classmethod
    def mail_service_url_is_usable(cls, value: str | None) -> str | None:
        if not value:
            return None
        url = urlsplit(value)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ValueError("must look like http://host:port or https://host/path")
        return value.rstrip("/")

    @field_validator("secret_key")
    @classmethod
    def refuse_weak_secret_in_production(cls, value: SecretStr, info: ValidationInfo) -> SecretStr:
        # `environment` is declared above `secret_key`, so it is already validated here.
        if info.data.get("environment") != "production":
            return value
        secret = value.get_secret_value()
        if secret == DEVELOPMENT_SECRET_KEY:
            raise ValueError("the development default is refused in production: set SECRET_KEY")
        if len(secret) < 32:
            raise ValueError("must be at least 32 characters long in production")
        return value

    @field_validator("allowed_hosts")
    @classmethod
    def hosts_are_usable(cls, hosts: list[str], info: ValidationInfo) -> list[str]:
        # An empty list would start fine and then answer every request with 400.
        if not hosts:
            raise ValueError("name at least one host the service answers to")
        if "*" in hosts and info.data.get("environment") == "production":
            raise ValueError('"*" accepts any Host header: list the real host names in production')
        return hosts

    @field_validator("first_admin_password")
    @classmethod
    def admin_password_is_strong_in_production(
        cls, value: SecretStr | None, info: ValidationInfo
    ) -> SecretStr | None:
        if value is None or info.data.get("environment") != "production":
            return value
        if problems := password_problems(value.get_secret_value()):
            raise ValueError("breaks the password rules: needs " + ", ".join(problems))
        return value

    @model_validator(mode="after")
    def first_admin_needs_both_fields(self) -> "Settings":
        if (self.first_admin_email is None) != (self.first_admin_password is None):
            raise ValueError("set both first_admin_email and first_admin_password, or neither")
        return self

    @model_validator(mode="after")
    def mail_service_backoff_fits_its_cap(self) -> "Settings":
        if self.mail_service_backoff_max < self.mail_service_backoff:
            raise ValueError("mail_service_backoff_max must be at least mail_service_backoff")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
