"""Benchmark 1: do logins stall the rest of the service?

Measures the p99 latency of `GET /health`, sampled one request at a time, first on an idle
server, then while 20 clients log in continuously (`POST /auth/token`: one argon2 verification,
about 0.2 s of CPU, per login). One real uvicorn worker, a SQLite file database in a temporary
folder. The figure is the ratio of the two p99s: close to 1 means a burst of logins cannot
starve the other requests.

Run it alone with `.venv/bin/python -m benchmarks.health_under_login`; `make bench` runs it with
the others. `--app-dir` points at another copy of the course (a patched one, to try a fix) and
`--env NAME=VALUE` adds a variable to the server's environment.
"""

import argparse
import asyncio
import json
import tempfile
from collections.abc import Awaitable
from dataclasses import dataclass
from pathlib import Path

from benchmarks.load import (
    LoadResult,
    Send,
    closed_loop,
    describe_failures,
    json_of,
    local_session,
    status_of,
)
from benchmarks.server import REPO_ROOT, uvicorn_server

LOGIN_CLIENTS = 20
# Sequential requests per phase, at most: about 5 s of each. The p99 of 300 samples was their
# third slowest, and moved by half from run to run; of 2,000, it is the 20th.
HEALTH_SAMPLES = 2_000
IDLE_SECONDS = 10.0  # and at most this long per phase
LOADED_SECONDS = 20.0
RAMP_UP_SECONDS = 1.0  # logins run this long before /health is sampled
MAX_LOGINS = 5_000
BENCH_EMAIL = "bench@example.com"
BENCH_PASSWORD = "Bench-Passw0rd!"


@dataclass(frozen=True)
class HealthUnderLogin:
    idle: LoadResult
    loaded: LoadResult
    logins: LoadResult

    @property
    def p99_ratio(self) -> float:
        return self.loaded.p99_ms / self.idle.p99_ms

    def as_dict(self) -> dict[str, object]:
        return {
            "login_clients": LOGIN_CLIENTS,
            "health_idle": self.idle.as_dict(),
            "health_under_logins": self.loaded.as_dict(),
            "logins": self.logins.as_dict(),
            "p99_ratio": self.p99_ratio,
        }

    def describe(self) -> str:
        return (
            f"/health p99 idle {self.idle.p99_ms:.1f} ms, "
            f"under {LOGIN_CLIENTS} logins {self.loaded.p99_ms:.1f} ms "
            f"(p50 {self.idle.p50_ms:.1f} -> {self.loaded.p50_ms:.1f} ms): "
            f"ratio {self.p99_ratio:.1f}x; logins {self.logins.per_second:.1f}/s, "
            f"p50 {self.logins.p50_ms:.0f} ms, p99 {self.logins.p99_ms:.0f} ms, "
            f"errors {describe_failures(self.idle, self.loaded, self.logins)}"
        )


def server_settings(database_path: Path) -> dict[str, str]:
    return {
        "ENVIRONMENT": "test",
        "DATABASE_URL": f"sqlite+aiosqlite:///{database_path}",
        "RATE_LIMIT_REQUESTS": "100000",  # the limiter would otherwise answer 429 after 100
    }


async def during_logins(
    base_url: str, form: dict[str, str], health: Send
) -> tuple[LoadResult, LoadResult]:
    """`health` sampled while LOGIN_CLIENTS log in continuously: its result, and the logins'."""
    # Opened now, not before the idle phase: a connection left idle that long (about 5 s,
    # uvicorn's keep-alive) could be closed by the server just as a login reuses it.
    async with local_session(base_url, LOGIN_CLIENTS) as login_session:

        def login() -> Awaitable[int]:
            return status_of(login_session, "POST", "/auth/token", data=form)

        stop_logins = asyncio.Event()
        logins = asyncio.create_task(
            closed_loop(
                login,
                clients=LOGIN_CLIENTS,
                max_requests=MAX_LOGINS,
                max_seconds=RAMP_UP_SECONDS + LOADED_SECONDS,
                stop=stop_logins,
            )
        )
        try:
            await asyncio.sleep(RAMP_UP_SECONDS)
            loaded = await closed_loop(
                health, clients=1, max_requests=HEALTH_SAMPLES, max_seconds=LOADED_SECONDS
            )
        finally:
            stop_logins.set()
        return loaded, await logins


async def measure(base_url: str) -> HealthUnderLogin:
    account = {
        "email": BENCH_EMAIL,
        "full_name": "Bench Mark",
        "password": BENCH_PASSWORD,
        "password_confirm": BENCH_PASSWORD,
        "terms_accepted": True,
    }
    form = {"username": BENCH_EMAIL, "password": BENCH_PASSWORD}
    async with local_session(base_url, 1) as health_session:
        await json_of(health_session, "POST", "/auth/register", json=account)
        await json_of(health_session, "POST", "/auth/token", data=form)

        def health() -> Awaitable[int]:
            return status_of(health_session, "GET", "/health")

        await closed_loop(health, clients=1, max_requests=50, max_seconds=2.0)  # warm up
        idle = await closed_loop(
            health, clients=1, max_requests=HEALTH_SAMPLES, max_seconds=IDLE_SECONDS
        )
        loaded, logins = await during_logins(base_url, form, health)
        return HealthUnderLogin(idle=idle, loaded=loaded, logins=logins)


def run(app_dir: Path = REPO_ROOT, extra_env: dict[str, str] | None = None) -> HealthUnderLogin:
    with tempfile.TemporaryDirectory(prefix="bench-health-") as scratch:
        workdir = Path(scratch)
        env = {**server_settings(workdir / "bench.db"), **(extra_env or {})}
        with uvicorn_server(
            "course_app.main:app", workdir=workdir, env=env, app_dir=app_dir
        ) as server:
            return asyncio.run(measure(server.base_url))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app-dir", type=Path, default=REPO_ROOT, help="the course to serve")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    extra_env = dict(item.split("=", 1) for item in args.env)
    result = run(args.app_dir.resolve(), extra_env)
    print(json.dumps(result.as_dict(), indent=2) if args.json else result.describe())


if __name__ == "__main__":
    main()
