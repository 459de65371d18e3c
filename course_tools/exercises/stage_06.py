"""Checks for the exercises of notebook 06 (the app)."""

import httpx
from asgi_lifespan import LifespanManager

from course_tools.exercises import Namespace, exercise, expect
from course_tools.holes.mistakes import Mistake


async def _get(app: object, path: str) -> httpx.Response:
    async with LifespanManager(app) as manager:  # type: ignore[arg-type]
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get(path)


async def _client_get(app: object, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get(path)


@exercise("06.1")
async def greeting_app(ns: Namespace) -> None:
    make, get_greeting = ns["make_greeting_app"], ns["get_greeting"]
    hello, bonjour = make("hello"), make("bonjour")
    expect(hello is not bonjour, "Each call should build a new FastAPI app.")
    expect(
        not hasattr(hello.state, "greeting"),
        "Set app.state.greeting in the lifespan, not when the app is built.",
    )
    # Both apps run at once, as two apps in one test session may.
    async with LifespanManager(hello) as first_app, LifespanManager(bonjour) as second_app:
        first = await _client_get(first_app.app, "/greeting")
        second = await _client_get(second_app.app, "/greeting")
    expect(first.status_code == 200, f"GET /greeting should answer 200, got {first.status_code}.")
    expect(
        first.json() != {"greeting": "bonjour"},
        "Two apps running at once share the greeting: the second overwrote the first. Keep it "
        "on app.state, not in a global.",
    )
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
    overridden = make("hello")
    overridden.dependency_overrides[get_greeting] = lambda: "overridden"
    answer = await _get(overridden, "/greeting")
    expect(
        answer.json() == {"greeting": "overridden"},
        "The route ignored an override of get_greeting: receive the greeting through "
        "GreetingDep (a parameter `value: GreetingDep`), not from the closure or a global.",
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
    try:
        missing = await _get(app, "/lamps/moon")
    except not_found_error:
        expect(
            False,
            "The NotFoundError was raised again: register the handler for NotFoundError itself, "
            "app.add_exception_handler(NotFoundError, handler). A handler for Exception is a "
            "500 handler: the error still reaches the server after it answers.",
        )
    except TypeError as error:
        expect(
            "not callable" not in str(error),
            "The handler must return a response, JSONResponse(status_code=404, content=...), "
            "not a dict.",
        )
        expect(
            "JSON serializable" not in str(error),
            'The body should be {"detail": str(exc)}: the exception itself is not JSON.',
        )
        raise
    found = await _get(app, "/lamps/desk")
    expect(
        missing.status_code == 404, f"A NotFoundError should give 404, got {missing.status_code}."
    )
    expect(
        missing.json() == {"detail": "no lamp called moon"},
        'The body should be {"detail": str(exc)}.',
    )
    expect(found.status_code == 200, "Routes that raise nothing must still answer 200.")


MISTAKES = [
    Mistake(
        "06.1",
        "set when the app is built",
        change=(
            (
                "@asynccontextmanager\n"
                "async def lifespan(app: FastAPI) -> AsyncIterator[None]:\n"
                "    app.state.greeting = greeting\n"
                "    yield\n"
                "    del app.state.greeting\n"
                "\n"
                "app = FastAPI(lifespan=lifespan)\n"
            ),
            ("app = FastAPI()\napp.state.greeting = greeting\n"),
        ),
        names="in the lifespan, not when the app is built",
    ),
    Mistake(
        "06.1",
        "no cleanup at shutdown",
        change=(
            "    del app.state.greeting\n",
            "",
        ),
        names="after the lifespan's yield",
    ),
    Mistake(
        "06.1",
        "a global",
        """
        @asynccontextmanager
        async def lifespan(app: FastAPI) -> AsyncIterator[None]:
            global current_greeting
            current_greeting = greeting
            yield

        app = FastAPI(lifespan=lifespan)

        @app.get("/greeting")
        async def read_greeting() -> dict[str, str]:
            return {"greeting": current_greeting}

        return app
        """,
        names="not in a global",
    ),
    Mistake(
        "06.1",
        "the closure instead of the dependency",
        change=(
            (
                "async def read_greeting(value: GreetingDep) -> dict[str, str]:\n"
                '    return {"greeting": value}\n'
            ),
            ('async def read_greeting() -> dict[str, str]:\n    return {"greeting": greeting}\n'),
        ),
        names="through GreetingDep",
    ),
    Mistake(
        "06.2",
        "a dict for a response",
        """
        async def not_found(request: Request, exc: Exception) -> dict[str, str]:
            return {"detail": str(exc)}

        app.add_exception_handler(NotFoundError, not_found)
        """,
        names="not a dict",
    ),
    Mistake(
        "06.2",
        "a handler for Exception",
        change=(
            "app.add_exception_handler(NotFoundError, not_found)\n",
            "app.add_exception_handler(Exception, not_found)\n",
        ),
        names="register the handler for NotFoundError",
    ),
    Mistake(
        "06.2",
        "the exception in the body",
        change=(
            '    return JSONResponse(status_code=404, content={"detail": str(exc)})\n',
            '    return JSONResponse(status_code=404, content={"detail": exc})\n',
        ),
        names='{"detail": str(exc)}',
    ),
]
