"""Checks for the exercises of notebook 08 (testing)."""

from typing import Any

from course_tools.exercises import Namespace, exercise, expect


@exercise("08.1")
async def overridden(ns: Namespace) -> None:
    import httpx
    from fastapi import Depends, FastAPI

    override = ns["overridden"]

    def get_answer() -> int:
        return 1

    app = FastAPI()

    @app.get("/answer")
    async def answer(value: int = Depends(get_answer)) -> dict[str, int]:
        return {"value": value}

    async def value() -> int:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            answer: int = (await client.get("/answer")).json()["value"]
            return answer

    with override(app, get_answer, lambda: 2):
        expect(await value() == 2, "Inside the block, routes should get the replacement's value.")
    expect(await value() == 1, "After the block, the real dependency should answer again.")
    expect(
        get_answer not in app.dependency_overrides,
        "Leave no entry behind in app.dependency_overrides when there was none before.",
    )
    app.dependency_overrides[get_answer] = lambda: 3
    with override(app, get_answer, lambda: 4):
        expect(await value() == 4, "The replacement should win over an earlier override.")
    expect(
        app.dependency_overrides.get(get_answer, get_answer)() == 3,
        "Put back the override that was there before the block, instead of deleting it.",
    )
    del app.dependency_overrides[get_answer]
    try:
        with override(app, get_answer, lambda: 5):
            raise RuntimeError("a failing test")
    except RuntimeError:
        pass
    expect(
        get_answer not in app.dependency_overrides,
        "Clean up even when the block raises: use try/finally (or @contextmanager with one).",
    )


@exercise("08.2")
async def fake_clock(ns: Namespace) -> None:
    from course_app.core.rate_limit import InMemoryRateLimiter

    clock_class = ns["FakeClock"]
    clock: Any = clock_class()
    first = clock()
    expect(isinstance(first, int | float), "Calling the clock returns the current time, a number.")
    expect(clock() == first, "A fake clock stands still until the test moves it.")
    clock.advance(2.5)
    expect(clock() == first + 2.5, "advance(seconds) moves the clock forward by that much.")
    other = clock_class()
    other.advance(100)
    expect(clock() == first + 2.5, "Each FakeClock keeps its own time (no shared class state).")
    limiter = InMemoryRateLimiter(limit=1, window_seconds=10, clock=clock)
    expect((await limiter.hit("k")).allowed, "The limiter should allow the first attempt.")
    refused = await limiter.hit("k")
    expect(not refused.allowed and refused.retry_after == 10, "The second attempt is refused.")
    clock.advance(10)
    expect(
        (await limiter.hit("k")).allowed,
        "After advance(10) the window is over: the limiter should allow again.",
    )


@exercise("08.3")
def stock_problems(ns: Namespace) -> None:
    problems_of = ns["stock_problems"]
    products = {"lamp": (10, 5), "vase": (3, 0)}
    orders = [
        ("lamp", 2, "pending"),
        ("lamp", 3, "processing"),
        ("lamp", 4, "cancelled"),
        ("vase", 1, "shipped"),
        ("lamp", 1, "delivered"),
    ]
    expect(
        problems_of(products, orders) == [],
        "A consistent shop has no problems: return an empty list. Only pending, confirmed and "
        "processing orders hold a reservation.",
    )
    double = problems_of({"lamp": (10, 1), "vase": (3, 0)}, orders)
    expect(
        len(double) == 1 and "lamp" in double[0],
        "lamp has 1 reserved but its live orders hold 5: return one problem naming lamp.",
    )
    expect(
        problems_of({"lamp": (4, 5), "vase": (3, 0)}, orders),
        "More reserved than in stock is a problem, even when the orders agree.",
    )
    expect(
        problems_of({"lamp": (10, 5), "vase": (-1, 0)}, orders),
        "A negative stock is a problem.",
    )
    expect(
        problems_of({"mug": (1, 1)}, [("mug", 1, "confirmed")]) == [],
        "confirmed orders hold their units too.",
    )
