"""Checks for the exercises of notebook 12 (GraphQL)."""

import asyncio
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from course_tools.exercises import Namespace, exercise, expect
from course_tools.holes.mistakes import Mistake

PRICES = [Decimal("19.99"), Decimal("5.01"), Decimal("0.05")]


@contextmanager
def importable(function: Any) -> Iterator[None]:
    """Strawberry reads a resolver's annotations in the module it was defined in. In a notebook
    that is `__main__`; a cell run on its own may have a name no module has, so lend it one."""
    name = function.__module__
    if name in sys.modules:
        yield
        return
    module = types.ModuleType(name)
    module.__dict__.update(function.__globals__)
    sys.modules[name] = module
    try:
        yield
    finally:
        del sys.modules[name]


def basket_schema(basket: type, resolver: Any) -> Any:
    """A schema with a `Basket` type whose `total` is the learner's resolver, and a query field
    `basket` that answers with the learner's Basket of PRICES."""
    import strawberry

    basket_type = strawberry.type(
        type(
            "Basket",
            (),
            {
                "__annotations__": {"prices": list[Decimal]},
                "total": strawberry.field(resolver=resolver),
            },
        )
    )

    def get_basket() -> Any:
        return basket(prices=PRICES)

    get_basket.__annotations__["return"] = basket_type
    query = strawberry.type(type("Query", (), {"basket": strawberry.field(resolver=get_basket)}))
    return strawberry.Schema(query=query)


def answer(schema: Any, query: str) -> Any:
    result = schema.execute_sync(query)
    for error in result.errors or []:
        if isinstance(error.original_error, NotImplementedError):
            raise error.original_error
    expect(not result.errors, f"{query} failed: {result.errors and result.errors[0].message}")
    return result.data["basket"]["total"]


@exercise("12.1")
def basket_total(ns: Namespace) -> None:
    basket, resolver = ns["Basket"], ns["basket_total"]
    direct = resolver(basket(prices=PRICES))
    expect(
        isinstance(direct, Decimal),
        f"Return a Decimal, not {type(direct).__name__}: money is never a float.",
    )
    with importable(resolver):
        schema = basket_schema(basket, resolver)
        sdl = str(schema)
        expect(
            "total(discountPercent: Int! = 0): Decimal!" in sdl,
            "Keep the signature `(root: Basket, discount_percent: int = 0) -> Decimal`; the "
            f"schema says: {[line.strip() for line in sdl.splitlines() if 'total' in line]}",
        )
        expect(
            answer(schema, "{ basket { total } }") == "25.05",
            "Without a discount, the total is the sum of the prices: 25.05.",
        )
        discounted = answer(schema, "{ basket { total(discountPercent: 10) } }")
    expect(discounted != "25.05", "Use the argument: discountPercent: 10 takes 10% off.")
    expect(
        discounted == "22.55",
        f"10% off 25.05 is 22.545, rounded half up to the cent: 22.55 (you answered {discounted}). "
        'Use .quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).',
    )


REVIEWS = [(2, "sturdy"), (1, "too small"), (2, "great value"), (5, "meh")]


class Reviews:
    """A fake table of reviews; `fetch` is its one query, counted."""

    def __init__(self) -> None:
        self.calls: list[list[int]] = []

    async def fetch(self, product_ids: list[int]) -> list[tuple[int, str]]:
        self.calls.append(list(product_ids))
        return [row for row in REVIEWS if row[0] in product_ids]


@exercise("12.2")
async def reviews_loader(ns: Namespace) -> None:
    table = Reviews()
    loader = ns["reviews_loader"](table.fetch)
    expect(loader is not None and hasattr(loader, "load"), "Return the DataLoader.")
    results = await asyncio.gather(*(loader.load(key) for key in (2, 3, 1, 2)))
    expect(
        len(table.calls) == 1,
        f"Four loads in one tick made {len(table.calls)} calls of fetch: the batch function "
        "must call fetch once, with all its keys.",
    )
    expect(
        results[1] == [],
        f"Product 3 has no reviews: its answer is an empty list, not {results[1]!r}.",
    )
    expect(
        results[0] == ["sturdy", "great value"] and results[2] == ["too small"],
        f"Each product gets its own reviews, in the order of the rows; got {results}. "
        "Group the rows by product id, then answer in the order of the keys.",
    )
    expect(results[3] == results[0], "The same key twice gets the same answer.")
    other = ns["reviews_loader"](table.fetch)
    expect(other is not loader, "Make a new DataLoader on every call: one per request.")


MISTAKES = [
    Mistake(
        "12.1",
        "a float total",
        """
        return round(float(sum(root.prices)) * (100 - discount_percent) / 100, 2)
        """,
        names="never a float",
    ),
    Mistake(
        "12.1",
        "the argument ignored",
        """
        return sum(root.prices, Decimal("0"))
        """,
        names="Use the argument",
    ),
    Mistake(
        "12.1",
        "not rounded to the cent",
        """
        return sum(root.prices, Decimal("0")) * (100 - discount_percent) / 100
        """,
        names="rounded half up",
    ),
    Mistake(
        "12.2",
        "one fetch per key",
        change=(
            (
                "    by_product: dict[int, list[str]] = {key: [] for key in keys}\n"
                "    for product_id, review in await fetch(keys):\n"
                "        by_product[product_id].append(review)\n"
                "    return [by_product[key] for key in keys]\n"
            ),
            (
                "    answers = []\n"
                "    for key in keys:\n"
                "        answers.append([review for _, review in await fetch([key])])\n"
                "    return answers\n"
            ),
        ),
        names="call fetch once",
    ),
    Mistake(
        "12.2",
        "products without rows left out",
        """
        async def load(keys: list[int]) -> list[list[str]]:
            grouped: dict[int, list[str]] = {}
            for product_id, review in await fetch(keys):
                grouped.setdefault(product_id, []).append(review)
            return [grouped.get(key) for key in keys]

        return DataLoader(load_fn=load)
        """,
        names="empty list",
    ),
]
