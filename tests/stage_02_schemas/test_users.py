from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from course_app.enums import UserRole, UserStatus
from course_app.schemas.users import UserAdminUpdate, UserPublic, UserRegister, UserUpdateMe

VALID = {
    "email": "Ada@Example.com",
    "full_name": "Ada Lovelace",
    "password": "Str0ng!Passw0rd",
    "password_confirm": "Str0ng!Passw0rd",
    "terms_accepted": True,
}


def register(**changes: object) -> UserRegister:
    return UserRegister.model_validate({**VALID, **changes})


def years_ago(years: int, days: int = 0) -> date:
    today = datetime.now(UTC).date()
    try:
        born = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        born = today.replace(year=today.year - years, day=28)
    return born - timedelta(days=days)


def test_valid_registration_is_accepted() -> None:
    """A complete, valid registration body is accepted and the email is lower-cased."""
    user = register(phone="+1 (555) 123-4567", date_of_birth=years_ago(30))
    assert user.email == "ada@example.com"
    assert user.full_name == "Ada Lovelace"


@pytest.mark.parametrize(
    "password",
    [
        "Sh0rt!",  # too short
        "str0ng!passw0rd",  # no upper case
        "STR0NG!PASSW0RD",  # no lower case
        "Strong!Password",  # no digit
        "Str0ngPassw0rd",  # no symbol
        "Aa1!" + "x" * 125,  # 129 characters
    ],
)
def test_weak_passwords_are_refused(password: str) -> None:
    """Passwords need 8-128 characters with upper case, lower case, a digit and a symbol."""
    with pytest.raises(ValidationError):
        register(password=password, password_confirm=password)


def test_password_of_128_characters_is_accepted() -> None:
    """The longest allowed password (128 characters) is accepted."""
    password = "Aa1!" + "x" * 124
    assert register(password=password, password_confirm=password).password == password


def test_password_confirmation_must_match() -> None:
    """password_confirm must equal password (check it in a model_validator)."""
    with pytest.raises(ValidationError, match="do not match"):
        register(password_confirm="Str0ng!Passw0rd-different")


def test_terms_must_be_accepted() -> None:
    """terms_accepted=false is refused."""
    with pytest.raises(ValidationError):
        register(terms_accepted=False)


@pytest.mark.parametrize("full_name", ["A", "x" * 101, "  "])
def test_full_name_length_is_enforced(full_name: str) -> None:
    """full_name must be 2-100 characters and not blank."""
    with pytest.raises(ValidationError):
        register(full_name=full_name)


@pytest.mark.parametrize("email", ["not-an-email", "a@", "@example.com"])
def test_invalid_email_is_refused(email: str) -> None:
    """The email is validated with EmailStr."""
    with pytest.raises(ValidationError):
        register(email=email)


@pytest.mark.parametrize(
    "phone", ["12", "phone-number", "+1 555 12a 4567", "1" * 25, "+" + "1" * 20]
)
def test_invalid_phone_is_refused(phone: str) -> None:
    """The phone must match the pattern: digits, optional +, spaces, dashes, brackets; <= 20."""
    with pytest.raises(ValidationError):
        register(phone=phone)


def test_date_of_birth_in_the_future_is_refused() -> None:
    """A date of birth in the future is refused."""
    with pytest.raises(ValidationError, match="future"):
        register(date_of_birth=datetime.now(UTC).date() + timedelta(days=1))


def test_users_under_13_are_refused() -> None:
    """A user must be at least 13 years old: one day short of 13 is refused."""
    with pytest.raises(ValidationError, match="13"):
        register(date_of_birth=years_ago(13, days=-1))


def test_users_exactly_13_are_accepted() -> None:
    """A user who turns 13 today is accepted."""
    assert register(date_of_birth=years_ago(13)).date_of_birth == years_ago(13)


@pytest.mark.parametrize("field", ["role", "status", "is_verified", "unexpected"])
def test_unknown_fields_in_registration_are_refused(field: str) -> None:
    """Request bodies use extra="forbid": a role (or any other extra field) is an error."""
    with pytest.raises(ValidationError, match="Extra inputs"):
        register(**{field: "admin"})


def test_update_me_accepts_a_subset_and_refuses_other_fields() -> None:
    """UserUpdateMe takes only full_name, phone and date_of_birth."""
    assert UserUpdateMe(full_name="New Name").model_dump(exclude_unset=True) == {
        "full_name": "New Name"
    }
    with pytest.raises(ValidationError):
        UserUpdateMe.model_validate({"role": "admin"})
    with pytest.raises(ValidationError):
        UserUpdateMe.model_validate({"full_name": None})


def test_admin_update_accepts_known_roles_and_statuses_only() -> None:
    """UserAdminUpdate takes a valid role and status, and refuses unknown values."""
    update = UserAdminUpdate.model_validate({"role": "admin", "status": "suspended"})
    assert (update.role, update.status) == (UserRole.ADMIN, UserStatus.SUSPENDED)
    with pytest.raises(ValidationError):
        UserAdminUpdate.model_validate({"role": "superuser"})
    with pytest.raises(ValidationError):
        UserAdminUpdate.model_validate({"status": None})


def test_user_public_reads_attributes_and_never_exposes_the_hash() -> None:
    """UserPublic is built from an object (from_attributes=True) and has no password field."""

    class Row:
        id = "5f8a7f0e-2d2a-4c59-9a8c-0d7c9b1e2f3a"
        email = "ada@example.com"
        full_name = "Ada Lovelace"
        phone = None
        date_of_birth = None
        role = "user"
        status = "active"
        is_verified = False
        created_at = datetime(2024, 1, 1, tzinfo=UTC)
        updated_at = datetime(2024, 1, 1, tzinfo=UTC)
        last_login = None
        hashed_password = "$argon2id$secret"

    data = UserPublic.model_validate(Row()).model_dump(mode="json")
    assert data["email"] == "ada@example.com"
    assert not any("password" in key for key in data)


def test_enum_values_match_the_contract() -> None:
    """UserRole is admin/user/moderator and UserStatus is active/inactive/suspended."""
    assert [role.value for role in UserRole] == ["admin", "user", "moderator"]
    assert [status.value for status in UserStatus] == ["active", "inactive", "suspended"]


def test_shortest_password_is_accepted() -> None:
    """A password of exactly 8 characters with all four kinds of character is accepted."""
    assert register(password="Aa1!aaaa", password_confirm="Aa1!aaaa").password == "Aa1!aaaa"


@pytest.mark.parametrize("full_name", ["Al", "x" * 100, "  Ada Lovelace  "])
def test_full_name_within_bounds_is_accepted(full_name: str) -> None:
    """full_name of 2 to 100 characters is accepted as it was sent."""
    assert register(full_name=full_name).full_name == full_name


@pytest.mark.parametrize(
    "phone", ["+15551234567", "555-123-4567", "+44 20 7946 0958", "(555) 1234567"]
)
def test_valid_phone_numbers_are_accepted(phone: str) -> None:
    """Phones with digits, an optional leading +, spaces, dashes and brackets are accepted."""
    assert register(phone=phone).phone == phone


@pytest.mark.parametrize(
    "missing", ["email", "full_name", "password", "password_confirm", "terms_accepted"]
)
def test_required_registration_fields(missing: str) -> None:
    """email, full_name, password, password_confirm and terms_accepted are all required."""
    body = {key: value for key, value in VALID.items() if key != missing}
    with pytest.raises(ValidationError):
        UserRegister.model_validate(body)


def test_optional_registration_fields_default_to_none() -> None:
    """phone and date_of_birth are optional and default to None."""
    user = register()
    assert (user.phone, user.date_of_birth) == (None, None)


def test_update_me_applies_the_same_rules_as_registration() -> None:
    """UserUpdateMe checks the phone pattern, full_name length and the date of birth too."""
    for body in (
        {"phone": "call me"},
        {"full_name": "A"},
        {"date_of_birth": (datetime.now(UTC).date() + timedelta(days=1)).isoformat()},
        {"date_of_birth": years_ago(12).isoformat()},
    ):
        with pytest.raises(ValidationError):
            UserUpdateMe.model_validate(body)
    cleared = UserUpdateMe.model_validate({"phone": None, "date_of_birth": None})
    assert cleared.model_dump(exclude_unset=True) == {"phone": None, "date_of_birth": None}


def test_admin_update_refuses_other_fields() -> None:
    """UserAdminUpdate takes only role and status: an email or a password is refused."""
    for body in ({"email": "x@example.com"}, {"password": "Str0ng!Passw0rd"}):
        with pytest.raises(ValidationError):
            UserAdminUpdate.model_validate(body)


def test_token_is_a_bearer_token() -> None:
    """Token has access_token and token_type, which is always "bearer"."""
    from course_app.schemas.users import Token

    assert Token(access_token="abc").model_dump() == {"access_token": "abc", "token_type": "bearer"}
