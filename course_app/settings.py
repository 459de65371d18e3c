"""Application settings, read from keyword arguments, the environment and a `.env` file."""

from functools import lru_cache
from typing import Annotated, Literal

from pydantic import (
    EmailStr,
    PositiveInt,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEVELOPMENT_SECRET_KEY = "development-only-secret-key-change-me"

Environment = Literal["development", "test", "production"]
CommaSeparatedList = Annotated[list[str], NoDecode]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        validate_default=True,
    )

    environment: Environment = "development"
    database_url: str = "sqlite+aiosqlite:///./course_app.db"
    secret_key: SecretStr = SecretStr(DEVELOPMENT_SECRET_KEY)
    access_token_expire_minutes: PositiveInt = 30

    allowed_hosts: CommaSeparatedList = ["localhost", "127.0.0.1", "test", "testserver"]
    allowed_origins: CommaSeparatedList = ["http://localhost:3000", "http://localhost:8000"]

    first_admin_email: EmailStr | None = None
    first_admin_password: SecretStr | None = None

    rate_limit_requests: PositiveInt = 100
    rate_limit_window_seconds: PositiveInt = 60

    redis_url: str | None = None

    @field_validator("allowed_hosts", "allowed_origins", mode="before")
    @classmethod
    def split_comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

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

    @model_validator(mode="after")
    def first_admin_needs_both_fields(self) -> "Settings":
        if (self.first_admin_email is None) != (self.first_admin_password is None):
            raise ValueError("set both first_admin_email and first_admin_password, or neither")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
