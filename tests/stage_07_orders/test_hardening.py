"""Stage 07, hardening: money that fits, and hostile order bodies a generator does not produce.

API.md, "Added: hardening": Money fits, Bodies, Strict values, OpenAPI tells the truth.
"""

import json
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.helpers import postgres_only
from tests.stage_06_app.test_hardening import (
    JSON,
    assert_413,
    assert_json_client_error,
    branches,
    chunks,
    dumps,
    open_client,
    request_schema,
    resolve,
)
from tests.stage_07_orders.test_orders_api import create_product, place

MAX_TOTAL = Decimal("99999999.99")
MAX_INT32 = 2_147_483_647
AMOUNTS = ("subtotal", "tax_amount", "shipping_amount", "total_amount")


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    # A crash is asserted on as the 500 a real client would get (see stage 06's open_client).
    async with open_client(app) as client:
        yield client


async def reserved(client: httpx.AsyncClient, product_id: str) -> int:
    response = await client.get(f"/products/{product_id}")
    assert response.status_code == 200, response.text
    return response.json()["reserved_quantity"]


async def order_count(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    response = await client.get("/orders", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["total"]


def money(order: dict[str, Any]) -> dict[str, Any]:
    """What an order says about money: its amounts and its items."""
    return {
        **{field: order[field] for field in AMOUNTS},
        "items": sorted(
            (item["product_id"], item["quantity"], item["unit_price"], item["total_price"])
            for item in order["items"]
        ),
    }


# --- Money fits: a total past 99,999,999.99 is 422 and reserves nothing ------------------------------


@pytest.mark.parametrize(
    ("price", "stock", "quantity"),
    [
        ("99999999.99", 10, 2),
        ("1.00", MAX_INT32, MAX_INT32),
        ("99999999.99", MAX_INT32, MAX_INT32),
        ("92592592.59", 10, 1),  # one cent over: 92,592,592.59 + 8% tax = 100,000,000.00
        ("46296296.30", 10, 2),  # the same through quantity
    ],
)
async def test_an_order_whose_total_would_not_fit_is_422(
    client: httpx.AsyncClient,
    admin_headers: dict[str, str],
    user_headers: dict[str, str],
    price: str,
    stock: int,
    quantity: int,
) -> None:
    """Total (with tax) over 99,999,999.99: 422, no order, and the stock reservation unchanged."""
    product = await create_product(client, admin_headers, price=price, stock=stock)
    response = await place(client, user_headers, (product["id"], quantity))
    assert response.status_code == 422, response.text[:300]
    assert "detail" in response.json()
    assert await reserved(client, product["id"]) == 0
    assert await order_count(client, user_headers) == 0


async def test_items_that_fit_alone_but_not_together_are_422(
    client: httpx.AsyncClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    """Two items of 60,000,000.00 each: every line fits, the order does not. Nothing is reserved."""
    first = await create_product(client, admin_headers, price="60000000.00", name="First")
    second = await create_product(client, admin_headers, price="60000000.00", name="Second")
    response = await place(client, user_headers, (first["id"], 1), (second["id"], 1))
    assert response.status_code == 422, response.text[:300]
    assert (await reserved(client, first["id"]), await reserved(client, second["id"])) == (0, 0)
    assert await order_count(client, user_headers) == 0


@postgres_only("SQLite stores a NUMERIC of any size: only the service's own check refuses it")
async def test_a_total_the_database_refuses_is_422_and_reserves_nothing(
    client: httpx.AsyncClient,
    admin_headers: dict[str, str],
    user_headers: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past the service's check, PostgreSQL itself refuses a total over Numeric(10, 2) (numeric
    overflow): still 422, and the transaction is undone whole: no order, nothing reserved."""
    from course_app.services import orders

    monkeypatch.setattr(orders, "MAX_MONEY", Decimal("1e20"))  # the service's check, switched off
    product = await create_product(client, admin_headers, price="99999999.99", stock=10)
    response = await place(client, user_headers, (product["id"], 2))
    assert response.status_code == 422, response.text[:300]
    assert await reserved(client, product["id"]) == 0
    assert await order_count(client, user_headers) == 0


@pytest.mark.parametrize(
    ("price", "quantity"),
    [
        ("92592592.58", 1),  # 92,592,592.58 + 7,407,407.41 tax = 99,999,999.99 exactly
        ("46296296.29", 2),
    ],
)
async def test_a_total_of_exactly_the_limit_is_accepted(
    client: httpx.AsyncClient,
    admin_headers: dict[str, str],
    user_headers: dict[str, str],
    price: str,
    quantity: int,
) -> None:
    """The largest total that fits is accepted, and reading the order back gives the same money."""
    product = await create_product(client, admin_headers, price=price)
    response = await place(client, user_headers, (product["id"], quantity))
    assert response.status_code == 201, response.text
    order = response.json()
    assert (order["subtotal"], order["tax_amount"]) == ("92592592.58", "7407407.41")
    assert (order["shipping_amount"], order["total_amount"]) == ("0.00", str(MAX_TOTAL))
    stored = await client.get(f"/orders/{order['id']}", headers=user_headers)
    assert money(stored.json()) == money(order)
    assert await reserved(client, product["id"]) == quantity


async def test_stored_orders_say_what_the_response_said(
    client: httpx.AsyncClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    """After each accepted order, GET /orders/{id} (and the list) returns exactly the same amounts."""
    cases = [
        [("0.01", 1)],
        [("0.01", 3), ("0.05", 7)],
        [("19.99", 7)],
        [("33.33", 3), ("0.34", 1)],
        [("12345678.91", 7)],
        [("49999999.99", 1), ("0.01", 1)],
        [("1.00", 1_000_000)],
    ]
    placed = []
    for n, lines in enumerate(cases):
        items = []
        for m, (price, quantity) in enumerate(lines):
            product = await create_product(
                client, admin_headers, price=price, stock=quantity, name=f"P{n}-{m}"
            )
            items.append((product["id"], quantity))
        response = await place(client, user_headers, *items)
        assert response.status_code == 201, (lines, response.text[:300])
        placed.append(response.json())
    listed = await client.get("/orders", params={"per_page": 100}, headers=user_headers)
    by_id = {order["id"]: order for order in listed.json()["items"]}
    for order in placed:
        stored = await client.get(f"/orders/{order['id']}", headers=user_headers)
        assert money(stored.json()) == money(order)
        assert money(by_id[order["id"]]) == money(order)


# --- Hostile order bodies ----------------------------------------------------------------------------


@pytest.fixture
async def product(client: httpx.AsyncClient, admin_headers: dict[str, str]) -> dict[str, Any]:
    return await create_product(client, admin_headers, price="5.00", stock=10)


def order_body(product_id: str, quantity: object = 1, **extra: object) -> dict[str, Any]:
    return {"items": [{"product_id": product_id, "quantity": quantity}], **extra}


HOSTILE = {
    "quantity-NaN": lambda pid: dumps(order_body(pid, float("nan"))),
    "quantity-Infinity": lambda pid: dumps(order_body(pid, float("inf"))),
    "quantity--Infinity": lambda pid: dumps(order_body(pid, float("-inf"))),
    "quantity-true": lambda pid: dumps(order_body(pid, True)),
    "quantity-string": lambda pid: dumps(order_body(pid, "1")),
    "quantity-float": lambda pid: dumps(order_body(pid, 1.0)),
    "quantity-huge": lambda pid: dumps(order_body(pid, 10**40)),
    "notes-lone-surrogate": lambda pid: dumps(order_body(pid, customer_notes="Ring \udc00 twice")),
    "notes-lone-high-surrogate": lambda pid: dumps(order_body(pid, customer_notes="\ud800")),
    "notes-NaN": lambda pid: dumps(order_body(pid, customer_notes=float("nan"))),
    "unknown-key-surrogate": lambda pid: dumps(order_body(pid, **{"\udc00": 1})),
    "unknown-item-key-surrogate": lambda pid: dumps(
        {"items": [{"product_id": pid, "quantity": 1, "\ud800": float("nan")}]}
    ),
    "product-id-surrogate": lambda pid: dumps(order_body("\udc00")),
    "items-NaN": lambda pid: b'{"items": NaN}',
    "notes-nested-100000-arrays": lambda pid: (
        b'{"items": [{"product_id": "%s", "quantity": 1}], "customer_notes": %s%s}'
        % (pid.encode(), b"[" * 100_000, b"]" * 100_000)
    ),
    "notes-nested-900-arrays": lambda pid: (
        b'{"items": [{"product_id": "%s", "quantity": 1}], "customer_notes": %s%s}'
        % (pid.encode(), b"[" * 900, b"]" * 900)
    ),
    "notes-nested-50000-objects": lambda pid: (
        b'{"items": [{"product_id": "%s", "quantity": 1}], "customer_notes": %s1%s}'
        % (pid.encode(), b'{"a":' * 50_000, b"}" * 50_000)
    ),
    "items-nested-100000-arrays": lambda pid: b'{"items": %s%s}' % (b"[" * 100_000, b"]" * 100_000),
}


@pytest.mark.parametrize("build", list(HOSTILE.values()), ids=list(HOSTILE))
async def test_hostile_order_bodies_are_client_errors(
    client: httpx.AsyncClient, user_headers: dict[str, str], product: dict[str, Any], build: Any
) -> None:
    """NaN, Infinity, loose numbers, lone surrogates and deep nesting: 4xx with JSON, nothing reserved."""
    body = build(product["id"])
    response = await client.post("/orders", content=body, headers={**JSON, **user_headers})
    assert_json_client_error(response, (400, 404, 413, 422))
    assert len(response.content) < 4000, "the refused body came back"
    assert await reserved(client, product["id"]) == 0
    assert await order_count(client, user_headers) == 0


async def test_a_huge_order_body_is_413(
    client: httpx.AsyncClient, user_headers: dict[str, str], product: dict[str, Any]
) -> None:
    """2 MB of customer notes (default max_body_bytes): 413, with or without Content-Length."""
    body = dumps(order_body(product["id"], customer_notes="n" * 2_000_000))
    response = await client.post("/orders", content=body, headers={**JSON, **user_headers})
    assert_413(response)
    request = client.build_request(
        "POST", "/orders", content=chunks(body, 65536), headers={**JSON, **user_headers}
    )
    assert_413(await client.send(request))
    assert await reserved(client, product["id"]) == 0


async def test_many_items_just_under_the_limit_are_not_a_500(
    client: httpx.AsyncClient, user_headers: dict[str, str]
) -> None:
    """Thousands of items (far over the 100 allowed) in a body under 1 MiB: a clean 422."""
    items = [{"product_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "quantity": 1}] * 10_000
    body = json.dumps({"items": items}).encode()
    assert len(body) < 1024 * 1024
    response = await client.post("/orders", content=body, headers={**JSON, **user_headers})
    assert_json_client_error(response, (413, 422))
    assert len(response.content) < 4000, "the refused items came back"


# --- OpenAPI tells the truth: the order routes --------------------------------------------------------

DOCUMENTED_FAILURES = {
    ("post", "/orders"): {"401", "404", "409", "413", "422"},
    ("get", "/orders"): {"401", "422"},
    ("get", "/orders/{order_id}"): {"401", "404", "422"},
    ("post", "/orders/{order_id}/cancel"): {"401", "404", "409", "422"},
    ("patch", "/orders/{order_id}/status"): {"401", "403", "404", "409", "413", "422"},
}


@pytest.mark.parametrize(("method", "path"), list(DOCUMENTED_FAILURES))
def test_each_order_route_documents_its_failure_codes(app: FastAPI, method: str, path: str) -> None:
    """Each order route documents the failure codes of its row in the endpoints table."""
    documented = set(app.openapi()["paths"][path][method]["responses"])
    missing = DOCUMENTED_FAILURES[method, path] - documented
    assert not missing, f"{method.upper()} {path} does not document {sorted(missing)}"


def test_reading_an_order_documents_404_for_others_and_403_only_for_a_suspended_caller(
    app: FastAPI,
) -> None:
    """GET /orders/{id} documents 404 (someone else's order); its 403 is the inactive-account one."""
    responses = app.openapi()["paths"]["/orders/{order_id}"]["get"]["responses"]
    assert "404" in responses
    # 403 here means "your account is suspended", as on every authenticated route; another user's
    # order is a 404, which test_orders_api checks over HTTP.
    assert set(responses) <= {"200", "401", "403", "404", "422"}


def test_quantity_is_documented_as_an_integer_of_at_least_one(app: FastAPI) -> None:
    """The order body schema states quantity's limits: an integer, minimum 1."""
    openapi = app.openapi()
    order = request_schema(openapi, "post", "/orders")
    [items] = branches(openapi, order["properties"]["items"])
    item = resolve(openapi, items["items"])
    [quantity] = branches(openapi, item["properties"]["quantity"])
    assert quantity["type"] == "integer"
    assert quantity.get("minimum") == 1 or quantity.get("exclusiveMinimum") == 0
