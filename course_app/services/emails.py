# Written by notebooks/14_services.ipynb: edit the notebook, not this file.
"""The order confirmation email, sent after the response by a background task: to the mail
service over HTTP when the app has its client (notebook 14), otherwise by SMTP (notebook 09)."""

import logging
import uuid
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

import aiosmtplib
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from course_app.clients.mail import CircuitOpenError, MailMessage, MailServiceClient
from course_app.models import Order, User
from course_app.settings import Settings

logger = logging.getLogger(__name__)

SMTP_TIMEOUT_SECONDS = 10


def confirmation_message(order: Order, user: User, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = user.email
    message["Subject"] = f"Your order {order.order_number}"
    lines = [f"Hello {user.full_name},", "", f"We have your order {order.order_number}:", ""]
    lines += [f"  {item.quantity} x {item.product_id}  {item.total_price}" for item in order.items]
    lines += ["", f"Total: {order.total_amount}", "", "Thank you for shopping with us."]
    message.set_content("\n".join(lines))
    return message


async def send_email(smtp_url: str, message: EmailMessage) -> None:
    """smtp://user:password@host:port (plain, STARTTLS when offered) or smtps:// (TLS)."""
    url = urlsplit(smtp_url)
    await aiosmtplib.send(
        message,
        hostname=url.hostname,
        port=url.port,
        username=unquote(url.username) if url.username else None,
        password=unquote(url.password) if url.password else None,
        use_tls=url.scheme == "smtps",
        timeout=SMTP_TIMEOUT_SECONDS,
    )


def as_mail_message(message: EmailMessage) -> MailMessage:
    return MailMessage(
        sender=message["From"],
        to=message["To"],
        subject=message["Subject"],
        text=message.get_content(),
    )


def confirmation_key(order_id: uuid.UUID) -> str:
    """The idempotency key of an order's confirmation: the same on every attempt, and even if
    the task ran twice for one order, so the service sends it once."""
    return f"order-confirmation-{order_id}"


async def send_order_confirmation(
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    order_id: uuid.UUID,
    mail_service: MailServiceClient | None = None,
) -> None:
    """Runs after the response is sent. It never raises: an email cannot fail an order.

    It opens its own session: the request's session is closed by the time this runs. With a
    mail service client the message goes there as JSON; without one, to smtp_url.
    """
    if mail_service is None and not settings.smtp_url:
        return
    try:
        async with session_factory() as session:
            order = await session.get(Order, order_id)
            user = await session.get(User, order.user_id) if order else None
        if order is None or user is None:
            logger.warning("order %s is gone: no confirmation sent", order_id)
            return
        message = confirmation_message(order, user, settings.mail_from)
        if mail_service is not None:
            await mail_service.send(as_mail_message(message), confirmation_key(order.id))
        elif settings.smtp_url:
            await send_email(settings.smtp_url, message)
    except CircuitOpenError:
        # Expected while the service is down: one line, no traceback for each order.
        logger.warning(
            "order confirmation for %s not sent: the mail service's circuit is open", order_id
        )
    except Exception:
        # Logged with the order id, without the SMTP URL (it may hold a password).
        logger.exception("order confirmation for %s not sent", order_id)
