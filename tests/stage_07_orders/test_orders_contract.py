import asyncio
import uuid

import httpx
import pytest

from tests.helpers import create_product, place, set_status

ORDER_FIELDS = {
    "id",
    "order_number",
    "status",
    "subtotal",
    "tax_amount",
    "shipping_amount",
    "total_amount",
    "customer_notes",
    "user_id",
    "items",
    "created_at",
    "updated_at",
}


async def product_state(client: httpx.AsyncClient, product_id: str) -> tuple[int, int, int]:
    product = (await client.get(f"/products/{product_id}")).json()
    return (
        product["stock_quantity"],
        product["reserved_quantity"],
        product["available_quantity"],
    )


async def test_order_shape(
    client: httpx.AsyncClient, admin_headers: dict, user_headers: dict
) -> None:
    """An order has exactly the contract's fields, money as strings and aware timestamps."""
    product = await create_product(client, admin_headers, price="5.00")
    response = await place(client, user_headers, (product["id"], 1))
    assert response.status_code == 201, response.text
    order = response.json()
    assert set(order) == ORDER_FIELDS
    assert set(order["items"][0]) == {"product_id", "quantity", "unit_price", "total_price"}
    assert order["customer_notes"] is None
    for field in ("subtotal", "tax_amount", "shipping_amount", "total_amount"):
        assert isinstance(order[field], str), f"{field} must be a JSON string"
    for field in ("created_at", "updated_at"):
        assert order[field].endswith(("Z", "+00:00")), f"{field} must be timezone-aware"


async def test_notes_of_exactly_500_characters_are_accepted(
    client: httpx.AsyncClient, admin_headers: dict, user_headers: dict
) -> None:
    """customer_notes may be up to 500 characters; a negative quantity is 422."""
    product = await create_product(client, admin_headers)
    response = await place(client, user_headers, (product["id"], 1), customer_notes="n" * 500)
    assert response.status_code == 201
    assert (await place(client, user_headers, (product["id"], -1))).status_code == 422


async def test_later_price_changes_do_not_touch_past_orders(
    client: httpx.AsyncClient, admin_headers: dict, user_headers: dict
) -> None:
    """The order keeps the unit price of the moment it was placed."""
    product = await create_product(client, admin_headers, price="10.00")
    order = (await place(client, user_headers, (product["id"], 1))).json()
    await client.patch(f"/products/{product['id']}", json={"price": "99.00"}, headers=admin_headers)
    again = (await client.get(f"/orders/{order['id']}", headers=user_headers)).json()
    assert again["items"][0]["unit_price"] == "10.00"
    assert again["total_amount"] == order["total_amount"]


async def test_multi_item_totals(
    client: httpx.AsyncClient, admin_headers: dict, user_headers: dict
) -> None:
    """Several items: subtotal is the sum of the line totals, each priced from the database."""
    lamp = await create_product(client, admin_headers, price="19.99")
    book = await create_product(client, admin_headers, price="5.01", name="Book")
    response = await place(client, user_headers, (lamp["id"], 1), (book["id"], 3))
    order = response.json()
    lines = {item["product_id"]: item["total_price"] for item in order["items"]}
    assert lines == {lamp["id"]: "19.99", book["id"]: "15.03"}
    assert (order["subtotal"], order["tax_amount"]) == ("35.02", "2.80")
    assert (order["shipping_amount"], order["total_amount"]) == ("9.99", "47.81")


@pytest.mark.hole("07.reserve_items")
async def test_concurrent_multi_item_orders_are_all_or_nothing(
    client: httpx.AsyncClient, admin_headers: dict, user_headers: dict
) -> None:
    """24 concurrent orders of 1 plentiful + 1 scarce (stock 6): 6 succeed, no stray reservation."""
    plenty = await create_product(client, admin_headers, stock=100)
    scarce = await create_product(client, admin_headers, stock=6, name="Scarce")
    responses = await asyncio.gather(
        *(place(client, user_headers, (plenty["id"], 2), (scarce["id"], 1)) for _ in range(24))
    )
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] * 6 + [409] * 18
    assert await product_state(client, scarce["id"]) == (6, 6, 0)
    assert await product_state(client, plenty["id"]) == (100, 12, 88)


async def test_concurrent_orders_from_many_users_never_go_negative(
    client: httpx.AsyncClient, admin_headers: dict, user_headers: dict
) -> None:
    """30 concurrent orders of 2 units on a stock of 7: 3 succeed, 27 are 409, available 1."""
    product = await create_product(client, admin_headers, stock=7)
    responses = await asyncio.gather(
        *(place(client, user_headers, (product["id"], 2)) for _ in range(30))
    )
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] * 3 + [409] * 27
    stock, reserved, available = await product_state(client, product["id"])
    assert (stock, reserved, available) == (7, 6, 1)
    assert available >= 0


@pytest.mark.hole("07.change_status")
async def test_concurrent_cancels_release_once(
    client: httpx.AsyncClient, admin_headers: dict, user_headers: dict
) -> None:
    """Ten simultaneous cancels of one order: one 200, nine 409, the stock released once."""
    product = await create_product(client, admin_headers, stock=5)
    await place(client, user_headers, (product["id"], 2))
    order = (await place(client, user_headers, (product["id"], 3))).json()
    url = f"/orders/{order['id']}/cancel"
    responses = await asyncio.gather(*(client.post(url, headers=user_headers) for _ in range(10)))
    assert sorted(response.status_code for response in responses) == [200] + [409] * 9
    assert await product_state(client, product["id"]) == (5, 2, 3)


@pytest.mark.hole("07.change_status")
async def test_concurrent_shipping_decreases_stock_once(
    client: httpx.AsyncClient, admin_headers: dict, user_headers: dict
) -> None:
    """Ten simultaneous "shipped" updates: one 200, nine 409, stock lowered exactly once."""
    product = await create_product(client, admin_headers, stock=10)
    order = (await place(client, user_headers, (product["id"], 4))).json()
    for status in ("confirmed", "processing"):
        assert await set_status(client, admin_headers, order["id"], status) == 200
    results = await asyncio.gather(
        *(set_status(client, admin_headers, order["id"], "shipped") for _ in range(10))
    )
    assert sorted(results) == [200] + [409] * 9
    assert await product_state(client, product["id"]) == (6, 0, 6)


async def test_ownership_holds_for_every_order_route(
    client: httpx.AsyncClient, admin_headers: dict, user_headers: dict
) -> None:
    """Orders of others are 404 on read and cancel; admins see any order; unknown ids are 404."""
    product = await create_product(client, admin_headers)
    order = (await place(client, admin_headers, (product["id"], 1))).json()
    assert (await client.get(f"/orders/{order['id']}", headers=user_headers)).status_code == 404
    cancel = await client.post(f"/orders/{order['id']}/cancel", headers=user_headers)
    assert cancel.status_code == 404
    assert (await client.get("/orders", headers=user_headers)).json()["total"] == 0
    missing = f"/orders/{uuid.uuid4()}"
    assert (await client.get(missing, headers=admin_headers)).status_code == 404


async def test_order_routes_refuse_bad_tokens(client: httpx.AsyncClient) -> None:
    """Every order route is 401 for a missing or invalid token."""
    order_url = f"/orders/{uuid.uuid4()}"
    for headers in ({}, {"Authorization": "Bearer not-a-jwt"}):
        assert (await client.get("/orders", headers=headers)).status_code == 401
        assert (await client.get(order_url, headers=headers)).status_code == 401
        assert (await client.post(f"{order_url}/cancel", headers=headers)).status_code == 401
        body = {"status": "confirmed"}
        patch = await client.patch(f"{order_url}/status", json=body, headers=headers)
        assert patch.status_code == 401
        body = {"items": [{"product_id": str(uuid.uuid4()), "quantity": 1}]}
        assert (await client.post("/orders", json=body, headers=headers)).status_code == 401
