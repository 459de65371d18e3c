"""Checks for the exercises of notebook 06 (the app)."""

import httpx
from asgi_lifespan import LifespanManager

from course_tools.exercises import Namespace, exercise, expect


async def _get(app: object, path: str) -> httpx.Response:
    async with LifespanManager(app) as manager:  # type: ignore[arg-type]
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get(path)


@exercise("06.1")
async def greeting_app(ns: Namespace) -> None:
    make = ns["make_greeting_app"]
    hello, bonjour = make("hello"), make("bonjour")
    expect(hello is not bonjour, "Each call should build a new FastAPI app.")
    expect(
        not hasattr(hello.state, "greeting"),
        "Set app.state.greeting in the lifespan, not when the app is built.",
    )
    first, second = await _get(hello, "/greeting"), await _get(bonjour, "/greeting")
    expect(first.status_code == 200, f"GET /greeting should answer 200, got {first.status_code}.")
    expect(
        first.json() == {"greeting": "hello"},
        'GET /greeting should answer {"greeting": "hello"} for make_greeting_app("hello").',
    )
    expect(
        second.json() == {"greeting": "bonjour"},
        "Two apps must not share the greeting: read it from request.app.state.",
    )
    expect(
        not hasattr(hello.state, "greeting"),
        "Remove app.state.greeting after the lifespan's yield (shutdown).",
    )


@exercise("06.2")
async def not_found_handler(ns: Namespace) -> None:
    from fastapi import FastAPI

    not_found_error = ns["NotFoundError"]
    add_handler = ns["add_not_found_handler"]
    app = FastAPI()

    @app.get("/lamps/{name}")
    async def read_lamp(name: str) -> dict[str, str]:
        if name != "desk":
            raise not_found_error(f"no lamp called {name}")
        return {"name": name}

    add_handler(app)
    missing, found = await _get(app, "/lamps/moon"), await _get(app, "/lamps/desk")
    expect(
        missing.status_code == 404, f"A NotFoundError should give 404, got {missing.status_code}."
    )
    expect(
        missing.json() == {"detail": "no lamp called moon"},
        'The body should be {"detail": str(exc)}.',
    )
    expect(found.status_code == 200, "Routes that raise nothing must still answer 200.")
