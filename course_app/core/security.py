# Written by notebooks/05_auth.ipynb: edit the notebook, not this file.
"""Password hashing with argon2 (off the event loop) and JWT access tokens with PyJWT."""

import asyncio
import contextlib
import os
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

ALGORITHM = "HS256"

# argon2id with pwdlib's recommended memory and time costs (64 MiB, 3 passes), in one thread.
# The recommended 4 lanes finish one hash sooner on an idle machine but make it no harder to
# crack; under a burst of logins, they take the cores the event loop needs.
THREADS_PER_HASH = 1
password_hash = PasswordHash((Argon2Hasher(parallelism=THREADS_PER_HASH),))

# Verified against when the email is unknown, so a login takes the same time either way
# and response timing does not reveal which emails are registered.
DUMMY_HASH = password_hash.hash("dummy-password-for-timing-safety")


class InvalidTokenError(Exception):
    """The token is missing, malformed, tampered with, expired or otherwise unusable."""


def hashing_slots(cpu_count: int, threads_per_hash: int) -> int:
    """How many hashes may run at once and still leave a core for the event loop (at least one)."""
    return max(1, (cpu_count - 1) // threads_per_hash)


# A hash takes a fifth of a second of CPU on purpose, so it runs off the event loop, in a small
# pool of threads of its own: twenty logins hashing at once would leave the loop a sliver of the
# CPU. So at most HASHING_SLOTS hashes run at once, and the other logins wait in the pool's queue,
# holding no thread: the threads that FastAPI shares for `def` routes stay free.
HASHING_SLOTS = hashing_slots(os.cpu_count() or 1, THREADS_PER_HASH)
# The loop can still lose its core to a hash: on a machine with one or two cores, or when other
# processes keep the rest busy. So, on Linux, the hashing threads also run at a lower CPU
# priority, "nicer" by this much: when a hash and the event loop both want a core, the loop gets
# it. A burst of logins then slows the logins, not every other request.
HASHING_NICENESS = 10


def _lower_this_threads_priority() -> None:
    # On Linux, nice() changes the calling thread only; elsewhere it would change the whole
    # process, and slow the event loop too.
    if sys.platform == "linux":
        with contextlib.suppress(OSError):  # a sandbox may refuse: hashing works either way
            os.nice(HASHING_NICENESS)


_hashing = ThreadPoolExecutor(
    HASHING_SLOTS, thread_name_prefix="password-hashing", initializer=_lower_this_threads_priority
)


async def hash_password(password: str) -> str:
    return await asyncio.get_running_loop().run_in_executor(_hashing, password_hash.hash, password)


async def verify_password(password: str, hashed_password: str) -> bool:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_hashing, password_hash.verify, password, hashed_password)


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
