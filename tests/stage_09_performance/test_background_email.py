"""Stage 09: the order confirmation email goes out after the response and never fails the order."""

import logging

import pytest
from pydantic import ValidationError

from tests.helpers import create_product, open_client, place
from tests.smtp_sink import free_port, smtp_sink


@pytest.fixture
def smtp():
    with smtp_sink() as (url, inbox):
        yield url, inbox


@pytest.mark.hole("09.send_confirmation")
async def test_order_sends_a_confirmation(make_app, known_password_hash, smtp):
    """POST /orders sends one email to the customer naming the order number and total."""
    from tests.helpers import add_user

    url, inbox = smtp
    app = make_app(smtp_url=url)
    async with open_client(app) as client:
        _, admin = await add_user(app, known_password_hash, email="admin@example.com", role="admin")
        _, user = await add_user(app, known_password_hash, email="ann@example.com")
        product = await create_product(client, admin, price="10.00")
        response = await place(client, user, (product["id"], 2))
        assert response.status_code == 201
    order = response.json()
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == "ann@example.com"
    assert order["order_number"] in message["Subject"]
    assert order["total_amount"] in message.get_payload()


async def test_no_smtp_url_sends_nothing(app, client, admin_headers, user_headers, smtp):
    """Without smtp_url no email is sent, and orders work as before."""
    _, inbox = smtp
    product = await create_product(client, admin_headers)
    assert (await place(client, user_headers, (product["id"], 1))).status_code == 201
    assert inbox.messages == []


async def test_refused_order_sends_nothing(make_app, known_password_hash, smtp):
    """An order refused (409) sends no confirmation."""
    from tests.helpers import add_user

    url, inbox = smtp
    app = make_app(smtp_url=url)
    async with open_client(app) as client:
        _, admin = await add_user(app, known_password_hash, email="admin@example.com", role="admin")
        _, user = await add_user(app, known_password_hash, email="ann@example.com")
        product = await create_product(client, admin, stock=1)
        assert (await place(client, user, (product["id"], 2))).status_code == 409
    assert inbox.messages == []


@pytest.mark.hole("09.send_confirmation")
async def test_mail_server_down_never_fails_the_order(make_app, known_password_hash, caplog):
    """With the mail server down the order is still 201 and stored: the task never raises, it
    logs the failure (a message with "not sent")."""
    from tests.helpers import add_user

    app = make_app(smtp_url=f"smtp://127.0.0.1:{free_port()}")
    with caplog.at_level(logging.ERROR, logger="course_app.services.emails"):
        async with open_client(app) as client:
            _, admin = await add_user(
                app, known_password_hash, email="admin@example.com", role="admin"
            )
            _, user = await add_user(app, known_password_hash, email="ann@example.com")
            product = await create_product(client, admin)
            response = await place(client, user, (product["id"], 1))
            assert response.status_code == 201
            listed = await client.get("/orders", headers=user)
            assert listed.json()["total"] == 1
    assert any("not sent" in record.getMessage() for record in caplog.records)


@pytest.mark.hole("09.send_confirmation")
async def test_a_failed_email_never_logs_the_smtp_password(make_app, known_password_hash, caplog):
    """A failed send is logged with the order id, never with the SMTP URL: it may hold a password."""
    from tests.helpers import add_user

    app = make_app(smtp_url=f"smtp://ann:hunter2secret@127.0.0.1:{free_port()}")
    with caplog.at_level(logging.DEBUG):
        async with open_client(app) as client:
            _, admin = await add_user(
                app, known_password_hash, email="admin@example.com", role="admin"
            )
            _, user = await add_user(app, known_password_hash, email="ann@example.com")
            product = await create_product(client, admin)
            response = await place(client, user, (product["id"], 1))
            assert response.status_code == 201
    assert any(response.json()["id"] in record.getMessage() for record in caplog.records)
    assert "hunter2secret" not in caplog.text


def test_background_task_uses_its_own_session():
    """The task is given the session factory, never the request's session."""
    import inspect

    from course_app.services.emails import send_order_confirmation

    parameters = inspect.signature(send_order_confirmation).parameters
    assert "session_factory" in parameters and "session" not in parameters


@pytest.mark.parametrize("value", ["http://127.0.0.1:25", "smtp://", "mail.example.com"])
def test_bad_smtp_url_names_the_field(make_settings, value):
    """A smtp_url that is not smtp:// or smtps:// with a host fails, naming smtp_url."""
    with pytest.raises(ValidationError) as caught:
        make_settings(smtp_url=value)
    assert "smtp_url" in str(caught.value)


def test_smtp_password_never_in_the_error(make_settings):
    """A refused smtp_url never shows its password."""
    with pytest.raises(ValidationError) as caught:
        make_settings(smtp_url="ftp://ann:hunter2secret@127.0.0.1:25")
    assert "hunter2secret" not in str(caught.value)
