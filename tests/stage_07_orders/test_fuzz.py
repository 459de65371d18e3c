"""Stage 07: the whole API fuzzed with schemathesis against its own OpenAPI document, in process.

schemathesis reads `app.openapi()`, generates requests for every operation (valid and invalid data,
boundary values, the documented examples) and calls the app through ASGI: no server, no network.
Every check it has is on (schemathesis' default), among them:
- not_a_server_error: no 5xx;
- status_code_conformance, content_type_conformance, response_headers_conformance,
  response_schema_conformance: the response is one the document promises;
- negative_data_rejection: data the document forbids is refused (4xx);
- positive_data_acceptance: data the document allows is not refused with 400 or 422;
- missing_required_header, ignored_auth, unsupported_method, allow_header_conformance and others.

Every generated request is sent once with an admin's token and once with a customer's. The run is
seeded (the same requests every time) and bounded (ten random requests per operation on top of the
boundary cases), and expects no failure at all. Some rules cannot be written in JSON Schema; the
hook below makes valid requests obey them (`obey_rules_json_schema_cannot_state`), instead of
switching any check off.

A failure prints the request as a curl command; run it against `uvicorn course_app.main:app`.
"""

from datetime import UTC, date, datetime
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode

from course_app.main import create_app
from course_app.settings import Settings

pytestmark = pytest.mark.heavy  # server processes or fuzzing: `make test-slow` runs it

# The OpenAPI document does not depend on the settings or the database: building an app reads no
# file and opens no connection. Each test below calls a fresh app with its own database.
schema = schemathesis.openapi.from_dict(
    create_app(Settings(environment="test")).openapi(),
    config=schemathesis.Config.from_dict(
        {
            "seed": 20240607,  # the same requests on every run: a failure can be replayed
            "generation": {"max-examples": 10, "database": "none"},
        }
    ),
)

MINIMUM_AGE_YEARS = 13


def latest_birth_date() -> date:
    today = datetime.now(UTC).date()
    try:
        return today.replace(year=today.year - MINIMUM_AGE_YEARS - 1)
    except ValueError:  # 29 February
        return today.replace(year=today.year - MINIMUM_AGE_YEARS - 1, day=28)


def plausible_birth_date(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        born = date.fromisoformat(value)
    except ValueError:
        return value
    return min(born, latest_birth_date()).isoformat()


def email_the_api_accepts(value: str) -> str:
    """`format: email` in JSON Schema is looser than email-validator, which also refuses domains
    reserved for special use, such as `.test` or `.local`. Hypothesis builds domains from words it
    finds in this project's code ("test" is one), so such an address is a matter of time."""
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return "fuzzed.address@example.com"
    return value


def integers_as_integers(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: integers_as_integers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [integers_as_integers(item) for item in value]
    return value


@schema.hook("map_case")
def obey_rules_json_schema_cannot_state(context: Any, case: Any) -> Any:
    """Make valid (positive) requests obey the rules that relate values to each other or to today.

    JSON Schema describes each value on its own. It cannot say that password_confirm equals password,
    that min_price is at most max_price, that a date of birth is at least 13 years ago, that an
    email's domain is not reserved, or that a product appears once per order. Without this hook,
    "valid" requests would break those rules, the API would rightly answer 422, and
    positive_data_acceptance would report a false failure. Invalid (negative) requests are left
    exactly as generated, so negative_data_rejection keeps its teeth.
    """
    if case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE:
        return case
    # JSON Schema cannot tell 1.0 from 1: both are the integer 1 to it. The API refuses 1.0 where it
    # wants an integer (strict values), so valid requests send integers written as integers.
    if isinstance(case.body, dict | list):
        case.body = integers_as_integers(case.body)
    operation = (case.method.upper(), case.operation.path)
    body = case.body if isinstance(case.body, dict) else None
    if operation == ("POST", "/auth/register") and body is not None:
        if "password" in body:
            body["password_confirm"] = body["password"]
        if isinstance(body.get("email"), str):
            body["email"] = email_the_api_accepts(body["email"])
        if "date_of_birth" in body:
            body["date_of_birth"] = plausible_birth_date(body["date_of_birth"])
    elif operation == ("PATCH", "/users/me") and body is not None:
        if "date_of_birth" in body:
            body["date_of_birth"] = plausible_birth_date(body["date_of_birth"])
    elif (
        operation == ("POST", "/orders")
        and body is not None
        and isinstance(body.get("items"), list)
    ):
        # Each product appears at most once in an order: a rule across items (uniqueItems compares
        # whole items, so {id, quantity 1} and {id, quantity 2} would still count as different).
        seen: set[object] = set()
        items = []
        for item in body["items"]:
            key = item.get("product_id") if isinstance(item, dict) else None
            if key is None or key not in seen:
                items.append(item)
                seen.add(key)
        body["items"] = items
    elif operation == ("GET", "/products") and isinstance(case.query, dict):
        low, high = case.query.get("min_price"), case.query.get("max_price")
        try:
            if float(low) > float(high):
                case.query["min_price"], case.query["max_price"] = high, low
        except (TypeError, ValueError):  # absent, or not a number: not this rule's business
            pass
    return case


@pytest.fixture
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 with the smallest cost instead of the recommended ~100 ms per hash.

    Hundreds of generated registrations and logins would otherwise spend most of the run hashing.
    The code path is the same (hash and verify off the event loop); only the cost differs, and the
    cost is no part of what this test checks.
    """
    from pwdlib import PasswordHash
    from pwdlib.hashers.argon2 import Argon2Hasher

    from course_app.api.routes import auth
    from course_app.core import security

    cheap = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=8, parallelism=1),))
    dummy = cheap.hash("dummy-password-for-timing-safety")
    monkeypatch.setattr(security, "password_hash", cheap)
    monkeypatch.setattr(security, "DUMMY_HASH", dummy)
    monkeypatch.setattr(auth, "DUMMY_HASH", dummy)


@schema.parametrize()
# One app and database per operation, shared by its generated requests on purpose: the fuzzer meets
# the data earlier requests created, as a real service would. Hypothesis warns about that sharing.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@pytest.mark.usefixtures("cheap_password_hashing")
def test_the_api_keeps_its_documented_promises(
    case: schemathesis.Case,
    app: FastAPI,
    admin_headers: dict[str, str],
    user_headers: dict[str, str],
) -> None:
    """No generated request makes the API crash, break its document, or misjudge valid data.

    Each generated request is sent twice: once as an admin, once as a customer.
    """
    for role, headers in (("admin", admin_headers), ("customer", user_headers)):
        try:
            case.call_and_validate(app=app, headers=headers)
        except BaseExceptionGroup as failures:  # how schemathesis reports failed checks
            failures.add_note(f"(sent with the {role}'s token)")
            raise
