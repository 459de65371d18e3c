# Written by notebooks/02_schemas.ipynb: edit the notebook, not this file.
"""User schemas: registration, profile updates, admin updates, public view and tokens."""

import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Literal, Self

from pydantic import (
    EmailStr,
    Field,
    StrictBool,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from course_app import password_rules
from course_app.enums import UserRole, UserStatus
from course_app.normalize import normalize_email
from course_app.schemas.common import (
    NOT_BLANK,
    DateText,
    RequestModel,
    ResponseModel,
    reject_null,
)

MINIMUM_AGE_YEARS = 13

# 2-100 characters, not all blank. Kept as sent: trimming would make the length rule differ from
# what the OpenAPI document can say (a schema cannot count characters "after trimming").
FullName = Annotated[str, StringConstraints(min_length=2, max_length=100, pattern=NOT_BLANK)]
# Digits with an optional leading +, spaces, dashes and brackets, at most 20 characters
# (the database column): "+1 (555) 123-4567".
Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9(][0-9 ()\-]{5,17}[0-9]$")]
# The rules are checked by `password_is_strong` below, with a message naming what is missing;
# the pattern tells clients the same rules through the OpenAPI document.
Password = Annotated[
    str,
    Field(
        min_length=password_rules.MIN_LENGTH,
        max_length=password_rules.MAX_LENGTH,
        json_schema_extra={"pattern": password_rules.PATTERN},
    ),
]
# Only `true` is accepted; the schema says so with `const`.
TermsAccepted = Annotated[StrictBool, Field(json_schema_extra={"const": True})]


def _years_between(born: date, today: date) -> int:
    had_birthday = (today.month, today.day) >= (born.month, born.day)
    return today.year - born.year - (0 if had_birthday else 1)


def _check_date_of_birth(value: date | None) -> date | None:
    if value is None:
        return value
    today = datetime.now(UTC).date()
    if value > today:
        raise ValueError("date of birth cannot be in the future")
    if _years_between(value, today) < MINIMUM_AGE_YEARS:
        raise ValueError(f"you must be at least {MINIMUM_AGE_YEARS} years old")
    return value


class UserRegister(RequestModel):
    email: EmailStr
    full_name: FullName
    password: Password
    password_confirm: str
    terms_accepted: TermsAccepted
    phone: Phone | None = None
    date_of_birth: DateText | None = None

    @field_validator("email")
    @classmethod
    def email_is_normalized(cls, value: str) -> str:
        return normalize_email(value)

    @field_validator("password")
    @classmethod
    def password_is_strong(cls, value: str) -> str:
        if problems := password_rules.password_problems(value):
            raise ValueError("password needs " + ", ".join(problems))
        return value

    @field_validator("terms_accepted")
    @classmethod
    def terms_must_be_accepted(cls, value: bool) -> bool:
        if not value:
            raise ValueError("the terms must be accepted")
        return value

    @field_validator("date_of_birth")
    @classmethod
    def date_of_birth_is_plausible(cls, value: date | None) -> date | None:
        return _check_date_of_birth(value)

    @model_validator(mode="after")
    def passwords_match(self) -> Self:
        if self.password != self.password_confirm:
            raise ValueError("passwords do not match")
        return self


class UserUpdateMe(RequestModel):
    # phone and date_of_birth may be cleared with null; full_name may not.
    full_name: FullName | SkipJsonSchema[None] = None
    phone: Phone | None = None
    date_of_birth: DateText | None = None

    _full_name_not_null = field_validator("full_name")(reject_null)

    @field_validator("date_of_birth")
    @classmethod
    def date_of_birth_is_plausible(cls, value: date | None) -> date | None:
        return _check_date_of_birth(value)


class UserAdminUpdate(RequestModel):
    role: UserRole | SkipJsonSchema[None] = None
    status: UserStatus | SkipJsonSchema[None] = None

    _not_null = field_validator("role", "status")(reject_null)


class UserPublic(ResponseModel):
    id: uuid.UUID
    email: EmailStr
    full_name: str
    phone: str | None
    date_of_birth: date | None
    role: UserRole
    status: UserStatus
    is_verified: bool
    created_at: datetime
    updated_at: datetime
    last_login: datetime | None


class Token(ResponseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
