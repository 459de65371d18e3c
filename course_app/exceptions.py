# Written by notebooks/06_app.ipynb: edit the notebook, not this file.
"""Domain errors: rule violations raised by services, each knowing the HTTP status it means.

Services raise these and never touch HTTP; one handler in `errors.py` turns any of them into
`{"detail": message}` with its status. A new subclass inherits its parent's status, so it can
never turn into a 500 by being forgotten.
"""

from http import HTTPStatus
from typing import ClassVar


class DomainError(Exception):
    """A request that breaks a rule of the domain."""

    status_code: ClassVar[int] = HTTPStatus.CONFLICT


class NotFoundError(DomainError):
    """The thing does not exist, or the caller may not know that it does."""

    status_code = HTTPStatus.NOT_FOUND


class InvalidValueError(DomainError):
    """Each value is fine alone, but together they break a rule (e.g. a total beyond the limit)."""

    status_code = HTTPStatus.UNPROCESSABLE_ENTITY
