"""Checks for the exercises of notebook 10 (production)."""

import uuid
from typing import Any

from course_tools.exercises import Namespace, exercise, expect
from course_tools.holes.mistakes import Mistake


def _is_uuid(value: object) -> bool:
    try:
        return isinstance(value, str) and str(uuid.UUID(value)) == value
    except ValueError:
        return False


@exercise("10.1")
def request_id(ns: Namespace) -> None:
    choose = ns["request_id_or_new"]
    for kept in ("req-42", "a", "A.b_c-9", "x" * 64, str(uuid.UUID(int=7))):
        expect(choose(kept) == kept, f"A well-formed id is kept as it is: {kept!r}.")
    try:
        new = choose(None)
    except TypeError:
        expect(False, "No header comes as None: test for None before matching it.")
    expect(
        not isinstance(new, uuid.UUID),
        "Return the new id as a string: str(uuid.uuid4()), not the uuid.UUID itself.",
    )
    expect(_is_uuid(new), "No header (None): return a new UUID, as str(uuid.uuid4()).")
    expect(_is_uuid(choose("")), "An empty header is not an id: return a new UUID.")
    expect(_is_uuid(choose("x" * 65)), "65 characters is one too many: return a new UUID.")
    expect(
        choose("req-42\n") != "req-42\n" and _is_uuid(choose("req-42\n")),
        "A trailing newline must not pass: `$` in a regex matches just before one. "
        "Use re.fullmatch (or \\Z), so a client cannot start a new line in your logs.",
    )
    expect(
        _is_uuid(choose("naïve")),
        "\\w matches any Unicode letter, \"ï\" of 'naïve' too: spell the class out, "
        "[A-Za-z0-9._-] (or pass re.ASCII).",
    )
    for hostile in ("two words", "naïve", "a/b", "id;drop", '"quoted"', "tab\there"):
        expect(
            _is_uuid(choose(hostile)),
            f"Only [A-Za-z0-9._-] is allowed: {hostile!r} must be replaced by a new UUID.",
        )
    expect(choose(None) != choose(None), "Each request without an id gets a new one.")


@exercise("10.2")
def redact(ns: Namespace) -> None:
    redact_fields = ns["redact"]
    secret = "Str0ng!Passw0rd"
    record: dict[str, Any] = {
        "method": "POST",
        "path": "/auth/register",
        "password": secret,
        "Password_Confirm": secret,
        "headers": {"Authorization": "Bearer eyJ.x.y", "accept": "application/json"},
        "items": [{"access_token": "t0k3n", "quantity": 2}],
        "client_secret": "s3cr3t",
        "session_cookie": "c00k13",
        "status": 201,
    }
    original = repr(record)
    result = redact_fields(record)
    expect(isinstance(result, dict), "Return a new dict.")
    expect(repr(record) == original, "Do not change the record you were given: return a copy.")
    expect(
        result.get("password") == "[REDACTED]", 'Replace the value of "password" by "[REDACTED]".'
    )
    expect(
        result.get("client_secret") == "[REDACTED]"
        and result.get("session_cookie") == "[REDACTED]",
        'A key is sensitive when it contains one of the words: "client_secret" and '
        '"session_cookie" are sensitive too.',
    )
    expect(
        result.get("Password_Confirm") == "[REDACTED]",
        'Compare keys without case, and by what they contain: "Password_Confirm" holds a password.',
    )
    headers = result.get("headers")
    expect(
        isinstance(headers, dict) and headers.get("Authorization") == "[REDACTED]",
        "Go into nested dicts: headers.Authorization carries a bearer token.",
    )
    expect(
        isinstance(headers, dict) and headers.get("accept") == "application/json",
        "Keep what is not sensitive: headers.accept stays as it was.",
    )
    items = result.get("items")
    expect(
        isinstance(items, list) and items and items[0].get("access_token") == "[REDACTED]",
        "Go into lists too: items[0].access_token is a token.",
    )
    expect(
        isinstance(items, list) and items and items[0].get("quantity") == 2,
        "Keep the other values of nested items (quantity stays 2).",
    )
    expect(
        result.get("status") == 201 and result.get("path") == "/auth/register",
        "Values of other keys stay as they are.",
    )
    expect(secret not in repr(result), "The password must not appear anywhere in the result.")


MISTAKES = [
    Mistake(
        "10.1",
        "$ lets a newline through",
        """
        if header is not None and re.match(r"^[A-Za-z0-9._-]{1,64}$", header):
            return header
        return str(uuid.uuid4())
        """,
        names="trailing newline",
    ),
    Mistake(
        "10.1",
        "no length limit",
        """
        if header is not None and re.fullmatch(r"[A-Za-z0-9._-]+", header):
            return header
        return str(uuid.uuid4())
        """,
        names="one too many",
    ),
    Mistake(
        "10.1",
        "\\w for the letters",
        """
        if header is not None and re.fullmatch(r"[\\w.-]{1,64}", header):
            return header
        return str(uuid.uuid4())
        """,
        names="unicode letter",
    ),
    Mistake(
        "10.1",
        "a UUID, not a string",
        """
        if header is not None and re.fullmatch(r"[A-Za-z0-9._-]{1,64}", header):
            return header
        return uuid.uuid4()
        """,
        names="as a string",
    ),
    Mistake(
        "10.1",
        "None not tested",
        """
        if re.fullmatch(r"[A-Za-z0-9._-]{1,64}", header):
            return header
        return str(uuid.uuid4())
        """,
        names="test for none",
    ),
    Mistake(
        "10.2",
        "the record changed in place",
        """
        for key, value in fields.items():
            if any(word in key.lower() for word in SENSITIVE):
                fields[key] = "[REDACTED]"
            elif isinstance(value, dict):
                fields[key] = redact(value)
            elif isinstance(value, list):
                fields[key] = [redact(item) if isinstance(item, dict) else item for item in value]
        return fields
        """,
        names="return a copy",
    ),
    Mistake(
        "10.2",
        "exact key names",
        change=(
            '    key: "[REDACTED]" if any(word in key.lower() for word in SENSITIVE) else clean(value)\n',
            '    key: "[REDACTED]" if key.lower() in SENSITIVE else clean(value)\n',
        ),
        names="contains one of the words",
    ),
    Mistake(
        "10.2",
        "case compared",
        change=(
            '    key: "[REDACTED]" if any(word in key.lower() for word in SENSITIVE) else clean(value)\n',
            '    key: "[REDACTED]" if any(word in key for word in SENSITIVE) else clean(value)\n',
        ),
        names="without case",
    ),
    Mistake(
        "10.2",
        "lists not entered",
        """
        return {
            key: "[REDACTED]"
            if any(word in key.lower() for word in SENSITIVE)
            else redact(value)
            if isinstance(value, dict)
            else value
            for key, value in fields.items()
        }
        """,
        names="go into lists",
    ),
]
