"""Checks for the exercises of notebook 14 (calling another service)."""

from course_tools.exercises import Namespace, exercise, expect
from course_tools.holes.mistakes import Mistake

# (method, outcome, has an idempotency key) -> may it be retried?
RETRY_CASES: list[tuple[str, int | str, bool, bool, str]] = [
    (
        "POST",
        "connect_error",
        False,
        True,
        "A refused connection sent nothing: retry it, even a POST.",
    ),
    ("GET", 503, False, True, "A 503 says the server did not do it: retry a GET."),
    ("POST", 503, False, True, "A 503 or a 429 says the server did not do it: retry even a POST."),
    ("POST", 429, False, True, "A 503 or a 429 says the server did not do it: retry even a POST."),
    ("GET", "timeout", False, True, "A GET is idempotent: retry it after a timeout."),
    ("PUT", 504, False, True, "PUT and DELETE are idempotent too: retry them after a 502 or 504."),
    (
        "DELETE",
        502,
        False,
        True,
        "PUT and DELETE are idempotent too: retry them after a 502 or 504.",
    ),
    (
        "POST",
        "timeout",
        False,
        False,
        "A POST without a key that timed out may have been done: a retry could do it twice.",
    ),
    (
        "POST",
        504,
        False,
        False,
        "A 504 comes from a proxy that gave up waiting: the service may have done the POST. "
        "Without a key, do not retry it.",
    ),
    (
        "POST",
        "timeout",
        True,
        True,
        "With an Idempotency-Key a POST is safe to retry after a timeout.",
    ),
    ("POST", 502, True, True, "With an Idempotency-Key a POST is safe to retry after a 502."),
    ("GET", 200, False, False, "A success needs no retry."),
    (
        "POST",
        422,
        True,
        False,
        "A 4xx (other than 429) is an answer: asking again gets the same one.",
    ),
    (
        "GET",
        404,
        False,
        False,
        "A 4xx (other than 429) is an answer: asking again gets the same one.",
    ),
    (
        "GET",
        500,
        False,
        False,
        "A 500 is a bug on the other side, not a busy server: do not retry it.",
    ),
]


@exercise("14.1")
def may_retry(ns: Namespace) -> None:
    decide = ns["may_retry"]
    for method, outcome, has_key, expected, hint in RETRY_CASES:
        answer = decide(method, outcome, has_key)
        expect(isinstance(answer, bool), "Return True or False.")
        expect(answer == expected, f"{method}, {outcome}, key={has_key}: {hint}")
    expect(
        decide("get", "timeout", False),
        "Methods may come in lower case: compare method.upper().",
    )


# (state, event, failures in a row including this one, threshold) -> next state
TRANSITIONS: list[tuple[str, str, int, int, str, str]] = [
    ("closed", "success", 0, 3, "closed", "A success keeps a closed circuit closed."),
    ("closed", "failure", 1, 3, "closed", "One failure of three allowed: still closed."),
    ("closed", "failure", 3, 3, "open", "The third failure in a row of a threshold of 3 opens it."),
    ("closed", "failure", 4, 3, "open", "More failures than the threshold: open."),
    (
        "open",
        "cool_down_over",
        3,
        3,
        "half-open",
        "After the cool-down an open circuit half-opens.",
    ),
    ("open", "failure", 3, 3, "open", "While open, nothing changes until the cool-down is over."),
    ("half-open", "success", 3, 3, "closed", "A successful trial closes the circuit."),
    ("half-open", "failure", 1, 3, "open", "A failed trial opens it again, whatever the count."),
    ("closed", "cool_down_over", 0, 3, "closed", "A cool-down means nothing to a closed circuit."),
]


@exercise("14.2")
def next_state(ns: Namespace) -> None:
    step = ns["next_state"]
    for state, event, failures, threshold, expected, hint in TRANSITIONS:
        answer = step(state, event, failures, threshold)
        expect(answer == expected, f"{state} + {event} ({failures} in a row): {hint}")


MISTAKES = [
    Mistake(
        "14.1",
        "every busy answer retried",
        """
        if outcome == "connect_error":
            return True
        return outcome in ("timeout", 429, 502, 503, 504)
        """,
        names="could do it twice",
    ),
    Mistake(
        "14.1",
        "only idempotent methods retried",
        """
        if outcome == "connect_error":
            return True
        if outcome not in ("timeout", 429, 502, 503, 504):
            return False
        return method.upper() in {"GET", "HEAD", "OPTIONS", "PUT", "DELETE"}
        """,
        names="did not do it",
    ),
    Mistake(
        "14.2",
        "a failed trial counted like any failure",
        """
        if state == "open":
            return "half-open" if event == "cool_down_over" else "open"
        if event == "success":
            return "closed"
        if event == "failure" and failures_in_a_row >= threshold:
            return "open"
        return "closed" if state == "closed" else state
        """,
        names="failed trial opens it again",
    ),
    Mistake(
        "14.2",
        "open forever",
        """
        if state == "open":
            return "open"
        if state == "half-open":
            return "closed" if event == "success" else "open"
        if event == "failure" and failures_in_a_row >= threshold:
            return "open"
        return "closed"
        """,
        names="After the cool-down",
    ),
]
