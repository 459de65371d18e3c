"""Benchmark 4: a login limit of N with four workers, without Redis and with it.

Four uvicorn workers serve one SQLite file; the login limit is N failed attempts per client per
window. Clients send many more failed logins than N, each on a new connection so that the
kernel spreads them over the workers. Without Redis every worker counts on its own, so up to 4N
attempts get through; with Redis (notebook 09's limiter, one counter for all workers) exactly N
do. The figure is how many attempts each setup let through: a property, measured, not a speed.

Run it alone with `.venv/bin/python -m benchmarks.rate_limit_workers`; `make bench` runs it with
the others. The Redis server is the course's own (course_tools.redis_server), always stopped.
"""

import asyncio
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from benchmarks.load import local_session, status_of
from benchmarks.server import uvicorn_server
from course_tools.redis_server import running_redis

WORKERS = 4
LIMIT = 10  # failed logins allowed per client per window
ATTEMPTS = 200
CLIENTS = 8
SPREAD_REQUESTS = 40  # /health requests first, so every worker is up and accepting


@dataclass(frozen=True)
class RateLimitWorkers:
    without_redis: dict[int, int]  # HTTP status -> how many answers
    with_redis: dict[int, int]

    @staticmethod
    def allowed(answers: dict[int, int]) -> int:
        """Attempts that got through to the password check (401), not stopped by the limit (429)."""
        return answers.get(401, 0)

    def as_dict(self) -> dict[str, object]:
        return {
            "workers": WORKERS,
            "limit": LIMIT,
            "attempts": ATTEMPTS,
            "without_redis": {str(code): count for code, count in self.without_redis.items()},
            "with_redis": {str(code): count for code, count in self.with_redis.items()},
            "allowed_without_redis": self.allowed(self.without_redis),
            "allowed_with_redis": self.allowed(self.with_redis),
        }

    def describe(self) -> str:
        return (
            f"login limit {LIMIT} with {WORKERS} workers, {ATTEMPTS} failed attempts: "
            f"{self.allowed(self.without_redis)} let through without Redis "
            f"(up to {WORKERS * LIMIT}), {self.allowed(self.with_redis)} with Redis "
            f"(exactly {LIMIT} expected); answers {self.without_redis} and {self.with_redis}"
        )


async def failed_logins(base_url: str) -> dict[int, int]:
    async with local_session(base_url, CLIENTS, keep_alive=False) as session:
        for _ in range(SPREAD_REQUESTS):
            await status_of(session, "GET", "/health")
        form = {"username": "nobody@example.com", "password": "not-the-password"}
        semaphore = asyncio.Semaphore(CLIENTS)

        async def attempt() -> int:
            async with semaphore:
                return await status_of(session, "POST", "/auth/token", data=form)

        answers = await asyncio.gather(*(attempt() for _ in range(ATTEMPTS)))
    return dict(sorted(Counter(answers).items()))


def count_answers(workdir: Path, redis_url: str | None) -> dict[int, int]:
    database = workdir / f"limit-{'redis' if redis_url else 'local'}.db"
    env = {
        "ENVIRONMENT": "test",
        "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "RATE_LIMIT_REQUESTS": str(LIMIT),
        "RATE_LIMIT_WINDOW_SECONDS": "600",  # longer than the run: no attempt is forgiven
    }
    if redis_url:
        env["REDIS_URL"] = redis_url
    with uvicorn_server("course_app.main:app", workdir=workdir, env=env, workers=WORKERS) as server:
        return asyncio.run(failed_logins(server.base_url))


def run() -> RateLimitWorkers:
    with tempfile.TemporaryDirectory(prefix="bench-limit-") as scratch:
        workdir = Path(scratch)
        without_redis = count_answers(workdir, None)
        with running_redis(honour_env=False) as redis_url:
            with_redis = count_answers(workdir, redis_url)
    return RateLimitWorkers(without_redis=without_redis, with_redis=with_redis)


if __name__ == "__main__":
    print(run().describe())
