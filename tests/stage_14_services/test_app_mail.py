"""Stage 14: with mail_service_url set, the confirmation goes to the mail service over HTTP,
through one client per app; without it, SMTP as before. An email never fails an order."""

import json
import logging

import httpx
import pytest
import respx
from pydantic import ValidationError

from tests.helpers import add_user, create_product, open_client, place
from tests.smtp_sink import smtp_sink

MAIL_URL = "http://mail.test"


@pytest.fixture
def mail():
    with respx.mock(base_url=MAIL_URL, assert_all_called=False) as mock:
        yield mock.post("/messages")


async def place_one(app, known_password_hash) -> httpx.Response:
    """A product and one order by ann@example.com, in the app's own lifespan."""
    async with open_client(app) as client:
        _, admin = await add_user(app, known_password_hash, email="admin@example.com", role="admin")
        _, ann = await add_user(app, known_password_hash, email="ann@example.com")
        product = await create_product(client, admin, price="10.00")
        response = await place(client, ann, (product["id"], 2))
    assert response.status_code == 201
    return response


async def test_the_confirmation_goes_to_the_mail_service(make_app, known_password_hash, mail):
    """With mail_service_url set, POST /orders sends one JSON message to POST /messages: to the
    customer, naming the order number and total, with the order's idempotency key."""
    mail.return_value = httpx.Response(202, json={"id": "m-1"})
    order = (await place_one(make_app(mail_service_url=MAIL_URL), known_password_hash)).json()
    assert mail.call_count == 1
    request = mail.calls.last.request
    body = json.loads(request.content)
    assert body["to"] == "ann@example.com"
    assert order["order_number"] in body["subject"]
    assert order["total_amount"] in body["text"]
    assert request.headers["Idempotency-Key"] == f"order-confirmation-{order['id']}"


async def test_the_mail_service_wins_over_smtp(make_app, known_password_hash, mail):
    """With both set, the mail service sends the confirmation and SMTP is not used."""
    mail.return_value = httpx.Response(202, json={"id": "m-1"})
    with smtp_sink() as (smtp_url, inbox):
        app = make_app(mail_service_url=MAIL_URL, smtp_url=smtp_url)
        await place_one(app, known_password_hash)
    assert mail.call_count == 1
    assert inbox.messages == []


async def test_an_unset_mail_service_url_keeps_smtp(make_app, known_password_hash, mail):
    """Without mail_service_url the confirmation goes by SMTP as before, and no HTTP call is made."""
    with smtp_sink() as (smtp_url, inbox):
        app = make_app(smtp_url=smtp_url)
        await place_one(app, known_password_hash)
    assert app.state.resources.mail_service is None
    assert len(inbox.messages) == 1
    assert mail.call_count == 0


async def test_a_mail_service_down_never_fails_the_order(
    make_app, known_password_hash, mail, caplog
):
    """A mail service that cannot be reached costs the email, never the order: 201, and a log
    line naming the order."""
    mail.side_effect = httpx.ConnectError("refused")
    app = make_app(mail_service_url=MAIL_URL, mail_service_attempts=2, mail_service_backoff=0.001)
    with caplog.at_level(logging.ERROR, logger="course_app.services.emails"):
        order = (await place_one(app, known_password_hash)).json()
    assert mail.call_count == 2
    assert any(order["id"] in record.getMessage() for record in caplog.records)


async def test_a_busy_mail_service_is_retried_by_the_app(make_app, known_password_hash, mail):
    """Through the whole app: a 503, then 202. One message sent, two attempts, one key."""
    mail.side_effect = [httpx.Response(503), httpx.Response(202, json={"id": "m-1"})]
    app = make_app(mail_service_url=MAIL_URL, mail_service_backoff=0.001)
    await place_one(app, known_password_hash)
    keys = {call.request.headers["Idempotency-Key"] for call in mail.calls}
    assert mail.call_count == 2 and len(keys) == 1


async def test_one_client_for_the_app_closed_with_it(make_app, mail):
    """The app makes one httpx client when its lifespan starts and closes it when it ends."""
    app = make_app(mail_service_url=MAIL_URL)
    resources = app.state.resources
    async with open_client(app) as client:
        first = resources.mail_service
        await client.get("/health")
        assert first is not None and resources.mail_service is first
        assert not first.http.is_closed
    assert first.http.is_closed
    assert resources.mail_service is None


@pytest.mark.parametrize(
    "value", ["ftp://mail.example.com", "mail.example.com", "http://", "smtp://127.0.0.1:25"]
)
def test_a_bad_mail_service_url_names_the_field(make_settings, value):
    """A mail_service_url that is not http:// or https:// with a host fails, naming the field."""
    with pytest.raises(ValidationError) as caught:
        make_settings(mail_service_url=value)
    assert "mail_service_url" in str(caught.value)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("mail_service_attempts", 0),
        ("mail_service_attempts", 11),
        ("mail_service_timeout", 0),
        ("mail_service_connect_timeout", -1),
        ("mail_service_backoff", 0),
        ("mail_service_circuit_failures", 0),
        ("mail_service_circuit_reset", 0),
    ],
)
def test_bad_mail_service_numbers_name_the_field(make_settings, field, value):
    """Attempts 1-10, positive timeouts, backoff and circuit numbers: a bad one names its field."""
    with pytest.raises(ValidationError) as caught:
        make_settings(mail_service_url=MAIL_URL, **{field: value})
    assert field in str(caught.value)


def test_a_backoff_cap_below_the_backoff_is_refused(make_settings):
    """mail_service_backoff_max below mail_service_backoff fails, naming both."""
    with pytest.raises(ValidationError) as caught:
        make_settings(mail_service_backoff=2.0, mail_service_backoff_max=1.0)
    assert "mail_service_backoff_max" in str(caught.value)


def test_the_url_loses_a_trailing_slash(make_settings):
    """http://mail.test/ and http://mail.test name the same service: POST /messages, not //messages."""
    assert make_settings(mail_service_url="http://mail.test/").mail_service_url == MAIL_URL
