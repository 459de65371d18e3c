"""Checks for the exercises of notebook 08 (testing)."""

from typing import Any

from course_tools.exercises import Namespace, exercise, expect
from course_tools.holes.mistakes import Mistake


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

    def get_other() -> int:
        return 0

    other_override = lambda: 7  # noqa: E731
    app.dependency_overrides[get_other] = other_override
    with override(app, get_answer, lambda: 2):
        expect(await value() == 2, "Inside the block, routes should get the replacement's value.")
    expect(
        app.dependency_overrides.get(get_other) is other_override,
        "Leave the other overrides alone: clear() removes them all. Take out only the "
        "dependency you overrode.",
    )
    del app.dependency_overrides[get_other]
    expect(
        get_answer not in app.dependency_overrides,
        "Leave no entry behind in app.dependency_overrides when there was none before "
        "(not even one set to None): pop it.",
    )
    expect(await value() == 1, "After the block, the real dependency should answer again.")
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
    started = clock_class(50.0)()
    expect(
        started == 50.0,
        f"FakeClock(50.0)() gave {started!r}: a fake clock starts at the start it is given, "
        "not at 0 or at the real time.",
    )
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
    rug = problems_of({"lamp": (10, 5), "vase": (3, 0), "rug": (4, 2)}, orders)
    expect(
        len(rug) == 1 and "rug" in rug[0],
        "rug has 2 reserved and no order at all: check every product, not only those with orders.",
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
        problems_of({"mug": (2, 2)}, [("mug", 2, "pending")]) == [],
        "Every unit in stock may be reserved: reserved == stock is fine, so test "
        "0 <= reserved <= stock (<=, not <).",
    )
    expect(
        problems_of({"mug": (1, 1)}, [("mug", 1, "confirmed")]) == [],
        "confirmed orders hold their units too.",
    )


MISTAKES = [
    Mistake(
        "08.1",
        "no try/finally",
        """
        previous = app.dependency_overrides.get(dependency)
        app.dependency_overrides[dependency] = replacement
        yield
        if previous is None:
            del app.dependency_overrides[dependency]
        else:
            app.dependency_overrides[dependency] = previous
        """,
        names="try/finally",
    ),
    Mistake(
        "08.1",
        "None put back",
        """
        previous = app.dependency_overrides.get(dependency)
        app.dependency_overrides[dependency] = replacement
        try:
            yield
        finally:
            app.dependency_overrides[dependency] = previous
        """,
        names="leave no entry behind",
    ),
    Mistake(
        "08.1",
        "every override cleared",
        """
        app.dependency_overrides[dependency] = replacement
        try:
            yield
        finally:
            app.dependency_overrides.clear()
        """,
        names="leave the other overrides alone",
    ),
    Mistake(
        "08.1",
        "the earlier override deleted",
        """
        app.dependency_overrides[dependency] = replacement
        try:
            yield
        finally:
            app.dependency_overrides.pop(dependency, None)
        """,
        names="put back the override",
    ),
    Mistake("08.2", "start ignored", "self.now = 0.0", names="starts at the start it is given"),
    Mistake(
        "08.2",
        "the real time",
        """
        import time

        self.now = time.monotonic()
        """,
        names="not at 0 or at the real time",
    ),
    Mistake(
        "08.3",
        "every order counted",
        """
        problems = []
        for name, (stock, reserved) in products.items():
            expected = sum(qty for product, qty, _status in orders if product == name)
            if reserved != expected:
                problems.append(f"{name}: {reserved} reserved, but its orders hold {expected}")
            if not 0 <= reserved <= stock:
                problems.append(f"{name}: reserved {reserved} is outside 0..{stock}")
        return problems
        """,
        names="only pending, confirmed and processing",
    ),
    Mistake(
        "08.3",
        "< instead of <=",
        change=(
            "    if not 0 <= reserved <= stock:\n",
            "    if not 0 <= reserved < stock:\n",
        ),
        names="not <",
    ),
    Mistake(
        "08.3",
        "only products with orders",
        """
        holding = {"pending", "confirmed", "processing"}
        held: dict[str, int] = {}
        for product, qty, status in orders:
            if status in holding:
                held[product] = held.get(product, 0) + qty
        problems = []
        for name, expected in held.items():
            stock, reserved = products[name]
            if reserved != expected:
                problems.append(f"{name}: {reserved} reserved, but its orders hold {expected}")
            if not 0 <= reserved <= stock:
                problems.append(f"{name}: reserved {reserved} is outside 0..{stock}")
        return problems
        """,
        names="check every product",
    ),
    Mistake(
        "08.3",
        "confirmed forgotten",
        change=(
            'holding = {"pending", "confirmed", "processing"}\n',
            'holding = {"pending", "processing"}\n',
        ),
        names="confirmed orders hold",
    ),
]
