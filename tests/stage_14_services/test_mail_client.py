"""Stage 14: the mail service's client retries what is safe, waits as asked, sends each message
once, and stops calling a service that keeps failing. No test sleeps: time is faked."""

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import respx

BASE_URL = "http://mail.test"


@dataclass
class FakeTime:
    """A clock that moves only when told, and a sleep that moves it instead of waiting."""

    now: float = 1000.0
    waits: list[float] = field(default_factory=list)

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


@pytest.fixture
def time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def mail() -> Any:
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as mock:
        yield mock.post("/messages")


@pytest.fixture
async def make_client(time: FakeTime) -> AsyncIterator[Any]:
    from course_app.clients.mail import CircuitBreaker, MailServiceClient

    clients: list[MailServiceClient] = []

    def make(attempts: int = 4, failures: int = 5, reset: float = 30.0) -> MailServiceClient:
        client = MailServiceClient(
            BASE_URL,
            timeout=httpx.Timeout(connect=1.0, read=5.0, write=5.0, pool=1.0),
            attempts=attempts,
            backoff_seconds=0.2,
            backoff_max_seconds=5.0,
            breaker=CircuitBreaker(failures, reset, time.clock),
            sleep=time.sleep,
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


def message() -> Any:
    from course_app.clients.mail import MailMessage

    return MailMessage(sender="shop@example.com", to="ann@example.com", subject="Hi", text="Hello")


ACCEPTED = httpx.Response(202, json={"id": "m-1"})


@pytest.mark.hole("14.retryable")
async def test_a_503_is_retried_then_succeeds(make_client, mail, time):
    """A 503 is retried after a wait, and the next 202 ends the send; a hole that retries only
    httpx's errors misses the busy service's answer."""
    mail.side_effect = [httpx.Response(503), ACCEPTED]
    await make_client().send(message(), "key-1")
    assert mail.call_count == 2
    assert len(time.waits) == 1


@pytest.mark.hole("14.retryable")
async def test_a_422_is_not_retried(make_client, mail, time):
    """A 422 is never retried, as the service said no and asking again gets the same no; a hole
    that retries every error, or every MailServiceError, retries a rejected message."""
    from course_app.clients.mail import MailRejected

    mail.side_effect = [httpx.Response(422), ACCEPTED]
    with pytest.raises(MailRejected):
        await make_client().send(message(), "key-1")
    assert mail.call_count == 1
    assert time.waits == []


@pytest.mark.hole("14.retryable")
async def test_a_read_timeout_is_retried(make_client, mail):
    """A read timeout is retried (the idempotency key makes it safe even if the first one was
    sent); a hole that retries only connection errors leaves the email unsent."""
    mail.side_effect = [httpx.ReadTimeout("slow"), ACCEPTED]
    await make_client().send(message(), "key-1")
    assert mail.call_count == 2


@pytest.mark.hole("14.retryable")
async def test_a_refused_connection_is_retried(make_client, mail):
    """A refused connection is retried: nothing reached the service."""
    mail.side_effect = [httpx.ConnectError("refused"), ACCEPTED]
    await make_client().send(message(), "key-1")
    assert mail.call_count == 2


@pytest.mark.hole("14.retryable")
async def test_the_circuit_open_error_is_not_retried(make_client, mail):
    """CircuitOpenError is not retried: an open circuit means "fail fast", not "try again"."""
    from course_app.clients.mail import CircuitOpenError

    mail.side_effect = httpx.Response(503)
    client = make_client(attempts=4, failures=2)
    with pytest.raises(CircuitOpenError):
        await client.send(message(), "key-1")
    assert mail.call_count == 2


@pytest.mark.parametrize("status_code", [429, 502, 503, 504])
async def test_busy_statuses_are_retried(make_client, mail, status_code):
    """429, 502, 503 and 504 mean "not now": each is retried."""
    mail.side_effect = [httpx.Response(status_code), ACCEPTED]
    await make_client().send(message(), "key-1")
    assert mail.call_count == 2


@pytest.mark.parametrize("status_code", [400, 401, 404, 409, 413, 500])
async def test_other_failures_are_not_retried(make_client, mail, status_code):
    """A 4xx (other than 429) or a 500 is not retried: another attempt would fail the same way."""
    from course_app.clients.mail import MailRejected

    mail.side_effect = [httpx.Response(status_code), ACCEPTED]
    with pytest.raises(MailRejected):
        await make_client().send(message(), "key-1")
    assert mail.call_count == 1


async def test_retry_after_is_honoured(make_client, mail, time):
    """A 429 with Retry-After: 3 waits three seconds before the next attempt, not our backoff."""
    mail.side_effect = [httpx.Response(429, headers={"Retry-After": "3"}), ACCEPTED]
    await make_client().send(message(), "key-1")
    assert time.waits == [3.0]


async def test_retry_after_as_a_date_is_honoured(make_client, mail, time):
    """Retry-After may be an HTTP date: the wait is the time until then."""
    from datetime import UTC, datetime, timedelta
    from email.utils import format_datetime

    later = format_datetime(datetime.now(UTC) + timedelta(seconds=60), usegmt=True)
    mail.side_effect = [httpx.Response(503, headers={"Retry-After": later}), ACCEPTED]
    await make_client().send(message(), "key-1")
    # Capped by backoff_max (5 s): a background email does not wait a minute.
    assert time.waits == [5.0]


async def test_backoff_is_random_and_capped(make_client, mail, time):
    """Without Retry-After each wait is random, between 0 and 0.2 · 2^(attempt-1), at most 5."""
    from course_app.clients.mail import MailServiceBusy

    mail.side_effect = httpx.Response(503)
    with pytest.raises(MailServiceBusy):
        await make_client(attempts=8, failures=100).send(message(), "key-1")
    assert mail.call_count == 8
    assert len(time.waits) == 7
    for attempt, wait in enumerate(time.waits, start=1):
        assert 0 <= wait <= min(0.2 * 2 ** (attempt - 1), 5.0)


async def test_attempts_are_limited_and_the_last_failure_raised(make_client, mail):
    """After `attempts` tries the last failure reaches the caller (not tenacity's RetryError)."""
    from course_app.clients.mail import MailServiceBusy

    mail.side_effect = httpx.Response(503)
    with pytest.raises(MailServiceBusy) as caught:
        await make_client(attempts=3).send(message(), "key-1")
    assert caught.value.status_code == 503
    assert mail.call_count == 3


async def test_the_idempotency_key_is_the_same_on_every_attempt(make_client, mail):
    """Every attempt at one message carries the same Idempotency-Key: the service keeps the
    first and ignores the repeats, so a retry cannot send twice."""
    mail.side_effect = [httpx.Response(503), httpx.ReadTimeout("slow"), ACCEPTED]
    await make_client().send(message(), "order-confirmation-1")
    keys = [call.request.headers.get("Idempotency-Key") for call in mail.calls]
    assert keys == ["order-confirmation-1"] * 3


async def test_the_message_goes_as_json(make_client, mail):
    """POST /messages with the message as JSON."""
    import json

    mail.side_effect = [ACCEPTED]
    await make_client().send(message(), "key-1")
    request = mail.calls.last.request
    assert request.url == f"{BASE_URL}/messages"
    assert json.loads(request.content) == message().model_dump()


@pytest.mark.hole("14.circuit")
async def test_the_circuit_opens_and_stops_calling(make_client, mail):
    """After 3 failures in a row the circuit opens, and later sends fail at once with
    CircuitOpenError without a call; a hole that always allows calls never opens the circuit."""
    from course_app.clients.mail import CircuitOpenError, CircuitState, MailServiceBusy

    mail.side_effect = httpx.Response(503)
    client = make_client(attempts=1, failures=3)
    for _ in range(3):
        with pytest.raises(MailServiceBusy):
            await client.send(message(), "key-1")
    assert client.breaker.state is CircuitState.OPEN
    for _ in range(5):
        with pytest.raises(CircuitOpenError):
            await client.send(message(), "key-2")
    assert mail.call_count == 3


@pytest.mark.hole("14.circuit")
async def test_the_circuit_half_opens_after_the_cool_down(make_client, mail, time):
    """After the cool-down one trial call goes out and its success closes the circuit; a hole
    that never reads the clock (the state) once open never recovers."""
    from course_app.clients.mail import CircuitOpenError, CircuitState, MailServiceBusy

    mail.side_effect = [httpx.Response(503)] * 2 + [ACCEPTED] * 2
    client = make_client(attempts=1, failures=2, reset=30.0)
    for _ in range(2):
        with pytest.raises(MailServiceBusy):
            await client.send(message(), "key-1")
    time.now += 29.0
    with pytest.raises(CircuitOpenError):
        await client.send(message(), "key-2")
    time.now += 1.0
    assert client.breaker.state is CircuitState.HALF_OPEN
    await client.send(message(), "key-2")  # the trial
    assert client.breaker.state is CircuitState.CLOSED
    await client.send(message(), "key-3")
    assert mail.call_count == 4


@pytest.mark.hole("14.circuit")
async def test_a_failed_trial_opens_the_circuit_again(make_client, mail, time):
    """A trial that fails opens the circuit for another full cool-down."""
    from course_app.clients.mail import CircuitOpenError, CircuitState, MailServiceBusy

    mail.side_effect = httpx.Response(503)
    client = make_client(attempts=1, failures=2, reset=30.0)
    for _ in range(2):
        with pytest.raises(MailServiceBusy):
            await client.send(message(), "key-1")
    time.now += 30.0
    with pytest.raises(MailServiceBusy):
        await client.send(message(), "key-1")  # the trial fails
    assert client.breaker.state is CircuitState.OPEN
    time.now += 29.0
    with pytest.raises(CircuitOpenError):
        await client.send(message(), "key-1")
    assert mail.call_count == 3


@pytest.mark.hole("14.circuit")
def test_half_open_lets_one_trial_through(time):
    """Half-open lets exactly one call through, the trial, and the others fail fast until it
    ends; a hole that allows every call after the cool-down lets a crowd hit a sick service."""
    from course_app.clients.mail import CircuitBreaker

    breaker = CircuitBreaker(1, 10.0, time.clock)
    assert breaker.allow()
    breaker.record_failure()
    assert not breaker.allow()
    time.now += 10.0
    assert [breaker.allow() for _ in range(3)] == [True, False, False]
    breaker.record_success()
    assert [breaker.allow() for _ in range(3)] == [True, True, True]


def test_a_success_resets_the_count_of_failures(time):
    """Only failures in a row open the circuit: a success in between starts the count again."""
    from course_app.clients.mail import CircuitBreaker, CircuitState

    breaker = CircuitBreaker(3, 10.0, time.clock)
    for outcome in ["failure", "failure", "success", "failure", "failure"]:
        assert breaker.allow()
        getattr(breaker, f"record_{outcome}")()
    assert breaker.state is CircuitState.CLOSED


async def test_a_service_answering_500_opens_the_circuit(make_client, mail):
    """A 500 is not retried (the same message would crash the service again), but it is a
    failure of the service: a mail service that answers 500 to everything opens the circuit."""
    from course_app.clients.mail import CircuitOpenError, CircuitState, MailRejected

    mail.side_effect = httpx.Response(500)
    client = make_client(attempts=1, failures=2)
    for _ in range(2):
        with pytest.raises(MailRejected):
            await client.send(message(), "key-1")
    assert client.breaker.state is CircuitState.OPEN
    with pytest.raises(CircuitOpenError):
        await client.send(message(), "key-2")
    assert mail.call_count == 2


async def test_a_rejection_does_not_open_the_circuit(make_client, mail):
    """A 4xx proves the service is up: it never counts towards opening the circuit."""
    from course_app.clients.mail import CircuitState, MailRejected

    mail.side_effect = httpx.Response(422)
    client = make_client(attempts=1, failures=2)
    for _ in range(4):
        with pytest.raises(MailRejected):
            await client.send(message(), "key-1")
    assert client.breaker.state is CircuitState.CLOSED
    assert mail.call_count == 4


async def test_explicit_timeouts_from_settings(make_settings):
    """The client's timeouts come from settings: connect and pool, read and write."""
    from course_app.clients.mail import MailServiceClient

    settings = make_settings(
        mail_service_url=BASE_URL, mail_service_connect_timeout=0.5, mail_service_timeout=3.0
    )
    client = MailServiceClient.from_settings(settings)
    try:
        timeout = client.http.timeout
        assert (timeout.connect, timeout.pool, timeout.read, timeout.write) == (0.5, 0.5, 3.0, 3.0)
    finally:
        await client.aclose()
