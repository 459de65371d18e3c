"""Common mistakes in the holes of notebook 14 (calling another service)."""

from course_tools.holes.mistakes import Mistake

MISTAKES = [
    Mistake(
        "14.retryable",
        "every error retried",
        """
        return True
        """,
        names="retries a rejected message",
    ),
    Mistake(
        "14.retryable",
        "every failure of the service retried",
        """
        return isinstance(error, (MailServiceError, httpx.TransportError))
        """,
        names="retries a rejected message",
    ),
    Mistake(
        "14.retryable",
        "timeouts not retried",
        """
        return isinstance(error, (MailServiceBusy, httpx.ConnectError))
        """,
        names="retries only connection errors",
    ),
    Mistake(
        "14.retryable",
        "a busy answer not retried",
        """
        return isinstance(error, (httpx.ConnectError, httpx.TimeoutException))
        """,
        names="misses the busy service's answer",
    ),
    Mistake(
        "14.circuit",
        "always allowed",
        """
        return True
        """,
        names="never opens the circuit",
    ),
    Mistake(
        "14.circuit",
        "the clock never read",
        """
        return self.opened_at is None
        """,
        names="never recovers",
    ),
    Mistake(
        "14.circuit",
        "half-open lets everyone through",
        """
        return self.state is not CircuitState.OPEN
        """,
        names="lets a crowd hit a sick service",
    ),
]
