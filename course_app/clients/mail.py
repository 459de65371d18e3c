# Written by notebooks/14_services.ipynb: edit the notebook, not this file.
"""The mail service's client: one `httpx.AsyncClient` per app, explicit timeouts, retries with
backoff and jitter for what is safe to retry, an idempotency key per message, and a circuit
breaker that stops calling a service that keeps failing."""

import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum

import anyio
import httpx
from pydantic import BaseModel
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_random_exponential,
)

from course_app.settings import Settings

# Statuses that mean "not now": the service is overloaded or a proxy could not reach it.
RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})


class MailMessage(BaseModel):
    """The JSON body of POST /messages."""

    sender: str
    to: str
    subject: str
    text: str


class MailServiceError(Exception):
    """The message was not accepted. The caller logs it: an email never fails an order."""


class MailRejected(MailServiceError):
    """An answer another attempt would not change: a 4xx other than 429 (the message is wrong),
    or a 500 (the service crashed on it)."""

    def __init__(self, status_code: int) -> None:
        super().__init__(f"the mail service refused the message with {status_code}")
        self.status_code = status_code


class MailServiceBusy(MailServiceError):
    """429, 502, 503 or 504: worth another try, after `retry_after` seconds if it said so."""

    def __init__(self, status_code: int, retry_after: float | None) -> None:
        super().__init__(f"the mail service answered {status_code}")
        self.status_code = status_code
        self.retry_after = retry_after


class CircuitOpenError(MailServiceError):
    """The circuit is open: the service failed too often lately, so we do not call it now."""


def is_retryable(error: BaseException) -> bool:
    """True for failures that another attempt may cure and that cannot send twice.

    A timeout after the request went out may come after the service did the work: only the
    idempotency key of each message makes that retry safe.
    """
    if isinstance(error, MailServiceBusy):
        return True
    return isinstance(error, (httpx.ConnectError, httpx.TimeoutException))


def retry_after_seconds(response: httpx.Response) -> float | None:
    """The Retry-After header as seconds: a number of seconds, or an HTTP date."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None  # unreadable: fall back to our own backoff
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class CircuitState(StrEnum):
    CLOSED = "closed"  # calls go through
    OPEN = "open"  # calls fail at once, without touching the network
    HALF_OPEN = "half-open"  # the cool-down is over: one trial call decides


class CircuitBreaker:
    """Opens after `failure_threshold` failures in a row; after `reset_seconds` it lets one
    trial call through: a success closes it, a failure opens it for another `reset_seconds`.

    `clock` is injected, so a test can move time instead of sleeping.
    """

    def __init__(
        self,
        failure_threshold: int,
        reset_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.failure_threshold = failure_threshold
        self.reset_seconds = reset_seconds
        self.clock = clock
        self.failures = 0  # in a row
        self.opened_at: float | None = None
        self.trial_running = False

    @property
    def state(self) -> CircuitState:
        if self.opened_at is None:
            return CircuitState.CLOSED
        if self.clock() - self.opened_at < self.reset_seconds:
            return CircuitState.OPEN
        return CircuitState.HALF_OPEN

    def allow(self) -> bool:
        """May a call go out now? In half-open, only one: the trial."""
        state = self.state
        if state is CircuitState.CLOSED:
            return True
        if state is CircuitState.OPEN or self.trial_running:
            return False
        self.trial_running = True
        return True

    def record_success(self) -> None:
        self.failures = 0
        self.opened_at = None
        self.trial_running = False

    def record_failure(self) -> None:
        self.failures += 1
        failed_trial = self.trial_running
        self.trial_running = False
        if failed_trial or self.failures >= self.failure_threshold:
            self.opened_at = self.clock()  # (re)open: a new cool-down starts now


Sleep = Callable[[float], Awaitable[None]]


class MailServiceClient:
    """POST {base_url}/messages, made to survive a service that is slow, flaky or down."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: httpx.Timeout,
        attempts: int,
        backoff_seconds: float,
        backoff_max_seconds: float,
        breaker: CircuitBreaker,
        sleep: Sleep = anyio.sleep,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        # One client, kept for the app's life: it pools connections (no new TCP handshake per
        # email) and caps them. trust_env=False: no proxy settings picked up by surprise.
        self.http = httpx.AsyncClient(
            base_url=base_url,
            timeout=timeout,
            limits=httpx.Limits(max_connections=10, max_keepalive_connections=5),
            transport=transport,
            trust_env=False,
        )
        self.attempts = attempts
        self.backoff_max_seconds = backoff_max_seconds
        # "Full jitter": a random wait between 0 and backoff · 2^(attempt-1), capped.
        self.backoff = wait_random_exponential(multiplier=backoff_seconds, max=backoff_max_seconds)
        self.breaker = breaker
        self.sleep = sleep

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = anyio.sleep,
    ) -> "MailServiceClient":
        if not settings.mail_service_url:
            raise ValueError("mail_service_url is not set")
        connect = settings.mail_service_connect_timeout
        answer = settings.mail_service_timeout
        return cls(
            settings.mail_service_url,
            # connect: reach the service; read/write: one chunk of the answer or the request;
            # pool: wait for a free connection of our own pool.
            timeout=httpx.Timeout(connect=connect, read=answer, write=answer, pool=connect),
            attempts=settings.mail_service_attempts,
            backoff_seconds=settings.mail_service_backoff,
            backoff_max_seconds=settings.mail_service_backoff_max,
            breaker=CircuitBreaker(
                settings.mail_service_circuit_failures,
                settings.mail_service_circuit_reset,
                clock,
            ),
            sleep=sleep,
        )

    async def aclose(self) -> None:
        await self.http.aclose()

    async def send(self, message: MailMessage, idempotency_key: str) -> None:
        """Hand one message to the service, retrying what is safe to retry.

        Raises CircuitOpenError at once while the circuit is open, MailRejected for a 4xx, or
        the last failure once the attempts are used up.
        """
        retrying = AsyncRetrying(
            retry=retry_if_exception(is_retryable),
            stop=stop_after_attempt(self.attempts),
            wait=self.wait_before_next,
            sleep=self.sleep,
            reraise=True,  # the caller sees the real failure, not tenacity's RetryError
        )
        async for attempt in retrying:
            with attempt:
                await self.attempt(message, idempotency_key)

    async def attempt(self, message: MailMessage, idempotency_key: str) -> None:
        if not self.breaker.allow():
            raise CircuitOpenError("the mail service's circuit is open: not calling it")
        try:
            response = await self.http.post(
                "/messages",
                json=message.model_dump(),
                # The same key on every attempt: the service keeps the first, ignores repeats.
                headers={"Idempotency-Key": idempotency_key},
            )
        except BaseException:
            # A timeout, a refused connection, or a cancelled task: none proves the service well.
            self.breaker.record_failure()
            raise
        if response.status_code in RETRYABLE_STATUSES:
            self.breaker.record_failure()
            raise MailServiceBusy(response.status_code, retry_after_seconds(response))
        if response.is_server_error:  # a 500: not retried, but a service that crashes is not well
            self.breaker.record_failure()
            raise MailRejected(response.status_code)
        self.breaker.record_success()  # even a 4xx: the service is up, the message was wrong
        if response.is_error:
            raise MailRejected(response.status_code)

    def wait_before_next(self, retry_state: RetryCallState) -> float:
        """Retry-After when the service gave one; otherwise the backoff with jitter."""
        error = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(error, MailServiceBusy) and error.retry_after is not None:
            # Honoured up to our cap: a background email does not wait for minutes.
            return min(error.retry_after, self.backoff_max_seconds)
        return self.backoff(retry_state)
