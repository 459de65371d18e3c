"""Checks for the exercises of notebook 11 (idempotency)."""

import hashlib
import json
from typing import Any

import httpx

from course_tools.exercises import Namespace, exercise, expect
from course_tools.holes.mistakes import Mistake

ORDER = '{"items": [{"product_id": "3f0c", "quantity": 2}], "customer_notes": null}'
SAME_ORDERS = [
    '{"customer_notes":null,"items":[{"quantity":2,"product_id":"3f0c"}]}',
    '{\n  "items": [ { "product_id": "3f0c", "quantity": 2 } ],\n  "customer_notes": null\n}',
]
OTHER_ORDERS = [
    '{"items": [{"product_id": "3f0c", "quantity": 3}], "customer_notes": null}',
    '{"items": [{"product_id": "3f0c", "quantity": 2}], "customer_notes": "gift"}',
]


@exercise("11.1")
def body_fingerprint(ns: Namespace) -> None:
    fingerprint = ns["body_fingerprint"]
    first = fingerprint(ORDER)
    expect(
        isinstance(first, str) and len(first) == 64,
        "Return SHA-256 as 64 hex digits: hashlib.sha256(data).hexdigest().",
    )
    expect(fingerprint(ORDER) == first, "The same text must give the same fingerprint every time.")
    spaced, reordered = SAME_ORDERS[1], SAME_ORDERS[0]
    expect(
        fingerprint(spaced) == first,
        "Spaces and line breaks are not part of the request: parse the JSON, then write it "
        "back compactly (separators=(',', ':')).",
    )
    expect(
        fingerprint(reordered) == first,
        "The order of the keys is not part of the request either: json.dumps(..., sort_keys=True).",
    )
    for other in OTHER_ORDERS:
        expect(
            fingerprint(other) != first,
            f"A different value must give a different fingerprint: {other}",
        )
    canonical = json.dumps(json.loads(ORDER), sort_keys=True, separators=(",", ":"))
    expect(
        first == hashlib.sha256(canonical.encode()).hexdigest(),
        "Hash the canonical text, encoded as UTF-8, with SHA-256.",
    )


class FlakyShop:
    """A fake POST /orders whose first `lost` answers never arrive: the order is placed, then
    the client times out. It remembers each key, as the real service does."""

    def __init__(self, lost: int, status_code: int = 201) -> None:
        self.lost = lost
        self.status_code = status_code
        self.keys: list[str | None] = []  # the key of each attempt, in order
        self.placed = 0  # orders placed
        self.order_of_key: dict[str, int] = {}

    def handle(self, request: httpx.Request) -> httpx.Response:
        key = request.headers.get("Idempotency-Key")
        self.keys.append(key)
        order = None
        if self.status_code == 201:
            order = self.order_of_key.get(key) if key else None
            if order is None:
                self.placed += 1
                order = self.placed
                if key:
                    self.order_of_key[key] = order
        if len(self.keys) <= self.lost:
            raise httpx.ReadTimeout("the answer was lost on the way", request=request)
        return httpx.Response(self.status_code, json={"order": order})

    def client(self) -> httpx.AsyncClient:
        transport = httpx.MockTransport(self.handle)
        return httpx.AsyncClient(transport=transport, base_url="http://shop")


async def send(ns: Namespace, shop: FlakyShop, attempts: int = 3) -> Any:
    body = {"items": [{"product_id": "3f0c", "quantity": 1}]}
    async with shop.client() as client:
        return await ns["place_with_retries"](client, body, {"Authorization": "Bearer x"}, attempts)


@exercise("11.2")
async def place_with_retries(ns: Namespace) -> None:
    shop = FlakyShop(lost=1)
    response = await send(ns, shop)
    expect(
        isinstance(response, httpx.Response),
        "Return the response of the attempt that got one.",
    )
    expect(
        len(shop.keys) == 2,
        f"The first answer was lost: expected 2 attempts, saw {len(shop.keys)}.",
    )
    expect(shop.keys[0], "Send an Idempotency-Key header with the POST.")
    expect(
        shop.keys[0] == shop.keys[1],
        "Send the same key on every attempt: a new key per attempt makes the retry a second order.",
    )
    expect(shop.placed == 1 and response.status_code == 201, "The retry gets the first order.")

    another = FlakyShop(lost=0)
    async with another.client() as client:
        body = {"items": [{"product_id": "3f0c", "quantity": 1}]}
        for _ in range(2):
            await ns["place_with_retries"](client, body, {"Authorization": "Bearer x"}, 3)
    expect(
        another.keys[0] != another.keys[1],
        "Make a new key for each order (uuid.uuid4()): a fixed key turns the next order into a "
        "replay of the first.",
    )

    refused = FlakyShop(lost=0, status_code=409)
    response = await send(ns, refused)
    expect(
        len(refused.keys) == 1 and response.status_code == 409,
        "Retry only a timeout: a 409 is an answer, and asking again gets the same one.",
    )

    silent = FlakyShop(lost=10)
    try:
        await send(ns, silent, attempts=3)
    except httpx.TimeoutException:
        pass
    else:
        expect(False, "When every attempt times out, let the last timeout reach the caller.")
    expect(len(silent.keys) == 3, f"Make `attempts` attempts in all, not {len(silent.keys)}.")
    expect(len(set(silent.keys)) == 1, "Send the same key on every attempt.")


MISTAKES = [
    Mistake(
        "11.1",
        "the raw text hashed",
        """
        return hashlib.sha256(text.encode()).hexdigest()
        """,
        names="Spaces and line breaks",
    ),
    Mistake(
        "11.1",
        "the keys left in their order",
        """
        canonical = json.dumps(json.loads(text), separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()
        """,
        names="order of the keys",
    ),
    Mistake(
        "11.2",
        "a new key per attempt",
        """
        for _ in range(attempts - 1):
            try:
                key = {"Idempotency-Key": str(uuid.uuid4())}
                return await client.post("/orders", json=body, headers=headers | key)
            except httpx.TimeoutException:
                pass
        key = {"Idempotency-Key": str(uuid.uuid4())}
        return await client.post("/orders", json=body, headers=headers | key)
        """,
        names="same key on every attempt",
    ),
    Mistake(
        "11.2",
        "one key for every order",
        """
        key = {"Idempotency-Key": "my-order"}
        for _ in range(attempts - 1):
            try:
                return await client.post("/orders", json=body, headers=headers | key)
            except httpx.TimeoutException:
                pass
        return await client.post("/orders", json=body, headers=headers | key)
        """,
        names="new key for each order",
    ),
    Mistake(
        "11.2",
        "a refusal retried",
        """
        key = {"Idempotency-Key": str(uuid.uuid4())}
        for _ in range(attempts - 1):
            try:
                response = await client.post("/orders", json=body, headers=headers | key)
                if response.status_code < 400:
                    return response
            except httpx.TimeoutException:
                pass
        return await client.post("/orders", json=body, headers=headers | key)
        """,
        names="Retry only a timeout",
    ),
]
