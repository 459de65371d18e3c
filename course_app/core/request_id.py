# Written by notebooks/10_production.ipynb: edit the notebook, not this file.
"""Request ids: one per request, sent back in `X-Request-ID` and carried by every log line.

asgi-correlation-id's middleware does the work: it reads the client's id or makes a new one,
keeps it in a context variable for the logging filter, and adds it to the response. We only
say what a well-formed id is and how a new one looks.
"""

import re
import uuid

from asgi_correlation_id import correlation_id

REQUEST_ID_HEADER = "X-Request-ID"

# What the contract accepts from a client: short, and nothing that could break a log line or
# a header (no spaces, quotes, newlines or non-ASCII letters).
_WELL_FORMED = re.compile(r"[A-Za-z0-9._-]{1,64}")


def is_well_formed(value: str) -> bool:
    # fullmatch, not match with "$": "$" also matches just before a trailing newline.
    return _WELL_FORMED.fullmatch(value) is not None


def new_request_id() -> str:
    return str(uuid.uuid4())


def current_request_id() -> str | None:
    """The id of the request being handled, or None outside a request."""
    return correlation_id.get()
