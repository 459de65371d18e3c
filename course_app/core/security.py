# Written by notebooks/05_auth.ipynb: edit the notebook, not this file.
"""Password hashing with argon2 (off the event loop) and JWT access tokens with PyJWT."""

import os
import threading
import uuid
from datetime import UTC, datetime, timedelta

import jwt
from anyio import to_thread
from pwdlib import PasswordHash

ALGORITHM = "HS256"

password_hash = PasswordHash.recommended()  # argon2id with the library's current parameters

# Verified against when the email is unknown, so a login takes the same time either way
# and response timing does not reveal which emails are registered.
DUMMY_HASH = password_hash.hash("dummy-password-for-timing-safety")


class InvalidTokenError(Exception):
    """The token is missing, malformed, tampered with, expired or otherwise unusable."""


# Argon2 takes ~100 ms of CPU on purpose, so it runs in worker threads, off the event loop. But
# threads share the machine's cores with the loop: twenty logins hashing at once would leave the
# loop a twenty-first of the CPU, and every other request would crawl. So at most this many
# hashes run at once, leaving a core for the loop; the other logins wait their turn.
HASHING_SLOTS = max(1, (os.cpu_count() or 1) - 1)
_hashing = threading.BoundedSemaphore(HASHING_SLOTS)


def _hash_in_slot(password: str) -> str:
    with _hashing:
        return password_hash.hash(password)


def _verify_in_slot(password: str, hashed_password: str) -> bool:
    with _hashing:
        return password_hash.verify(password, hashed_password)


async def hash_password(password: str) -> str:
    return await to_thread.run_sync(_hash_in_slot, password)


async def verify_password(password: str, hashed_password: str) -> bool:
    return await to_thread.run_sync(_verify_in_slot, password, hashed_password)


def create_access_token(
    user_id: uuid.UUID, secret_key: str, expires_delta: timedelta, now: datetime | None = None
) -> str:
    issued_at = now or datetime.now(UTC)
    claims = {"sub": str(user_id), "iat": issued_at, "exp": issued_at + expires_delta}
    return jwt.encode(claims, secret_key, algorithm=ALGORITHM)


def decode_access_token(token: str, secret_key: str) -> uuid.UUID:
    """Return the user id in a valid token, or raise InvalidTokenError."""
    try:
        # Always name the accepted algorithms: never let the token choose (e.g. "none").
        claims = jwt.decode(
            token,
            secret_key,
            algorithms=[ALGORITHM],
            options={"require": ["exp", "sub", "iat"]},
        )
        return uuid.UUID(claims["sub"])
    except (jwt.PyJWTError, ValueError, TypeError) as exc:
        raise InvalidTokenError(str(exc)) from exc
