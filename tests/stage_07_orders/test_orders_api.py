import asyncio
import re
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest
from fastapi import FastAPI

from tests.helpers import add_user, create_product, place, set_status


@pytest.fixture
async def other_headers(
    app: FastAPI, client: httpx.AsyncClient, known_password_hash: str
) -> dict[str, str]:
    _, headers = await add_user(app, known_password_hash, email="other@example.com")
    return headers


async def get_product(client: httpx.AsyncClient, product_id: str, headers: dict) -> dict:
    # PATCH with an empty body reads a product even when it is inactive.
    response = await client.patch(f"/products/{product_id}", json={}, headers=headers)
    return response.json()


async def test_place_order_uses_database_prices_and_reserves_stock(
    client: httpx.AsyncClient, admin_headers: dict, user_headers: dict
) -> None:
    """POST /orders is 201: prices from the DB, totals, pending status and stock reserved."""
    product = await create_product(client, admin_headers, price="19.99", stock=10)
    response = await place(client, user_headers, (product["id"], 2), customer_notes="Ring twice")
    assert response.status_code == 201, response.text
    order = response.json()
    assert order["status"] == "pending"
    assert order["items"] == [
        {"product_id": product["id"], "quantity": 2, "unit_price": "19.99", "total_price": "39.98"}
    ]
    assert (order["subtotal"], order["tax_amount"]) == ("39.98", "3.20")
    assert (order["shipping_amount"], order["total_amount"]) == ("9.99", "53.17")
    assert order["customer_notes"] == "Ring twice"
    me = (await client.get("/users/me", headers=user_headers)).json()
    assert order["user_id"] == me["id"]
    today = datetime.now(UTC).strftime("%Y%m%d")
    assert re.fullmatch(rf"ORD-{today}-[0-9A-F]{{8}}", order["order_number"])
    after = (await client.get(f"/products/{product['id']}")).json()
    assert (after["reserved_quantity"], after["available_quantity"]) == (2, 8)


async def test_free_shipping_at_exactly_50(
    client: httpx.AsyncClient, admin_headers: dict, user_headers: dict
) -> None:
    """A subtotal of exactly 50.00 ships free: total = 50.00 + 4.00 tax."""
    product = await create_product(client, admin_headers, price="25.00")
    order = (await place(client, user_headers, (product["id"], 2))).json()
    assert (order["subtotal"], order["shipping_amount"], order["total_amount"]) == (
        "50.00",
        "0.00",
        "54.00",
    )


async def test_client_prices_are_refused(
    client: httpx.AsyncClient, admin_headers: dict, user_headers: dict
) -> None:
    """A unit_price sent by the client is refused with 422: prices come from the database."""
    product = await create_product(client, admin_headers)
    body = {"items": [{"product_id": product["id"], "quantity": 1, "unit_price": "0.01"}]}
    assert (await client.post("/orders", json=body, headers=user_headers)).status_code == 422


async def test_invalid_order_bodies_are_422(
    client: httpx.AsyncClient, admin_headers: dict, user_headers: dict
) -> None:
    """Empty items, duplicate products, quantity < 1, long notes or extra fields give 422."""
    pid = (await create_product(client, admin_headers))["id"]
    for body in (
        {"items": []},
        {},
        {"items": [{"product_id": pid, "quantity": 0}]},
        {"items": [{"product_id": pid, "quantity": 1}, {"product_id": pid, "quantity": 1}]},
        {"items": [{"product_id": pid, "quantity": 1}], "customer_notes": "x" * 501},
        {"items": [{"product_id": pid, "quantity": 1}], "user_id": str(uuid.uuid4())},
    ):
        response = await client.post("/orders", json=body, headers=user_headers)
        assert response.status_code == 422, body


async def test_order_needs_a_user(client: httpx.AsyncClient) -> None:
    """POST /orders without a token is 401."""
    response = await place(client, {}, (str(uuid.uuid4()), 1))
    assert response.status_code == 401


async def test_unknown_or_inactive_products_are_404(
    client: httpx.AsyncClient, admin_headers: dict, user_headers: dict
) -> None:
    """Ordering an unknown or deleted product gives 404."""
    assert (await place(client, user_headers, (str(uuid.uuid4()), 1))).status_code == 404
    product = await create_product(client, admin_headers)
    await client.delete(f"/products/{product['id']}", headers=admin_headers)
    assert (await place(client, user_headers, (product["id"], 1))).status_code == 404


@pytest.mark.hole("07.reserve_items")
async def test_not_enough_stock_is_409_and_reserves_nothing(
    client: httpx.AsyncClient, admin_headers: dict, user_headers: dict
) -> None:
    """If one item lacks stock the order is 409 and no item stays reserved: when `reserve`
    returns False, raise InsufficientStockError, and the rollback undoes the other items."""
    plenty = await create_product(client, admin_headers, stock=10)
    scarce = await create_product(client, admin_headers, stock=1)
    response = await place(client, user_headers, (plenty["id"], 3), (scarce["id"], 2))
    assert response.status_code == 409
    for product in (plenty, scarce):
        after = (await client.get(f"/products/{product['id']}")).json()
        assert after["reserved_quantity"] == 0
    assert (await client.get("/orders", headers=user_headers)).json()["total"] == 0


@pytest.mark.hole("07.reserve_items")
async def test_concurrent_orders_never_oversell(
    client: httpx.AsyncClient, admin_headers: dict, user_headers: dict
) -> None:
    """20 concurrent orders for 1 unit each on a stock of 5: exactly 5 are 201, 15 are 409."""
    product = await create_product(client, admin_headers, stock=5)
    responses = await asyncio.gather(
        *(place(client, user_headers, (product["id"], 1)) for _ in range(20))
    )
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] * 5 + [409] * 15
    after = (await client.get(f"/products/{product['id']}")).json()
    assert (after["reserved_quantity"], after["available_quantity"]) == (5, 0)


@pytest.mark.hole("07.reserve_items")
async def test_items_are_reserved_in_product_id_order(
    client: httpx.AsyncClient,
    admin_headers: dict,
    user_headers: dict,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Items are reserved sorted by product id, whatever order the client sent them in, so two
    orders that share products always lock their rows in the same sequence (no deadlocks)."""
    from course_app.repositories.products import ProductRepository

    products = [await create_product(client, admin_headers, name=f"Lamp {n}") for n in range(4)]
    ids = sorted((uuid.UUID(product["id"]) for product in products), reverse=True)
    reserved: list[uuid.UUID] = []
    reserve = ProductRepository.reserve

    async def recording_reserve(
        self: ProductRepository, product_id: uuid.UUID, quantity: int
    ) -> bool:
        reserved.append(product_id)
        return await reserve(self, product_id, quantity)

    monkeypatch.setattr(ProductRepository, "reserve", recording_reserve)
    response = await place(client, user_headers, *((str(product_id), 1) for product_id in ids))
    assert response.status_code == 201
    assert reserved == sorted(ids)


@pytest.mark.hole("07.reserve_items")
async def test_a_product_deleted_while_ordering_is_404_not_409(
    client: httpx.AsyncClient,
    admin_headers: dict,
    user_headers: dict,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A product deleted after the order read its price, but before it was reserved, is no
    longer for sale: 404, not 409 "not enough stock". When `reserve` returns False, ask whether
    the product is still active (`get_active`) before blaming the stock."""
    from course_app.repositories.products import ProductRepository

    product = await create_product(client, admin_headers, stock=10)
    active_prices = ProductRepository.active_prices

    async def prices_then_a_delete(
        self: ProductRepository, product_ids: list[uuid.UUID]
    ) -> dict[uuid.UUID, Decimal]:
        prices = await active_prices(self, product_ids)
        # An admin's DELETE lands in between, in a request and a transaction of its own.
        deleted = await client.delete(f"/products/{product['id']}", headers=admin_headers)
        assert deleted.status_code == 204
        return prices

    monkeypatch.setattr(ProductRepository, "active_prices", prices_then_a_delete)
    response = await place(client, user_headers, (product["id"], 1))
    assert response.status_code == 404, response.text
    after = await get_product(client, product["id"], admin_headers)
    assert (after["is_active"], after["reserved_quantity"]) == (False, 0)


async def test_list_shows_only_own_orders_newest_first(
    client: httpx.AsyncClient, admin_headers: dict, user_headers: dict, other_headers: dict
) -> None:
    """GET /orders returns a page of the caller's own orders only, newest first."""
    product = await create_product(client, admin_headers)
    first = (await place(client, user_headers, (product["id"], 1))).json()
    second = (await place(client, user_headers, (product["id"], 2))).json()
    await place(client, other_headers, (product["id"], 1))
    page = (await client.get("/orders", headers=user_headers)).json()
    assert [order["id"] for order in page["items"]] == [second["id"], first["id"]]
    assert (page["total"], page["page"], page["per_page"], page["pages"]) == (2, 1, 20, 1)
    assert (await client.get("/orders")).status_code == 401
    for per_page in (0, 101):
        response = await client.get("/orders", params={"per_page": per_page}, headers=user_headers)
        assert response.status_code == 422


async def test_read_order_is_for_owner_or_admin_and_404_for_others(
    client: httpx.AsyncClient, admin_headers: dict, user_headers: dict, other_headers: dict
) -> None:
    """GET /orders/{id}: 200 owner and admin, 404 (never 403) for another user, 401 no token."""
    product = await create_product(client, admin_headers)
    order = (await place(client, user_headers, (product["id"], 1))).json()
    url = f"/orders/{order['id']}"
    assert (await client.get(url, headers=user_headers)).json() == order
    assert (await client.get(url, headers=admin_headers)).status_code == 200
    assert (await client.get(url, headers=other_headers)).status_code == 404
    assert (await client.get(url)).status_code == 401
    assert (await client.get(f"/orders/{uuid.uuid4()}", headers=user_headers)).status_code == 404


@pytest.mark.hole("07.change_status")
async def test_cancel_releases_the_reservation_once(
    client: httpx.AsyncClient, admin_headers: dict, user_headers: dict, other_headers: dict
) -> None:
    """Cancelling must release the order's reservation (`release` for each item): POST
    /orders/{id}/cancel is 200 and the units are available again; again 409; others 404."""
    product = await create_product(client, admin_headers, stock=5)
    order = (await place(client, user_headers, (product["id"], 3))).json()
    url = f"/orders/{order['id']}/cancel"
    assert (await client.post(url, headers=other_headers)).status_code == 404
    assert (await client.post(url)).status_code == 401
    response = await client.post(url, headers=user_headers)
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    after = (await client.get(f"/products/{product['id']}")).json()
    assert (after["reserved_quantity"], after["available_quantity"]) == (0, 5)
    assert (await client.post(url, headers=user_headers)).status_code == 409
    assert (
        await client.post(f"/orders/{uuid.uuid4()}/cancel", headers=user_headers)
    ).status_code == 404


async def test_admin_can_cancel_any_order(
    client: httpx.AsyncClient, admin_headers: dict, user_headers: dict
) -> None:
    """An admin may cancel someone else's order."""
    product = await create_product(client, admin_headers)
    order = (await place(client, user_headers, (product["id"], 1))).json()
    response = await client.post(f"/orders/{order['id']}/cancel", headers=admin_headers)
    assert (response.status_code, response.json()["status"]) == (200, "cancelled")


@pytest.mark.hole("07.change_status")
async def test_full_lifecycle_ships_stock_exactly_once(
    client: httpx.AsyncClient, admin_headers: dict, user_headers: dict
) -> None:
    """Shipping turns the reservation into a stock decrease (`ship`, not `release`), once only:
    pending->confirmed->processing->shipped->delivered."""
    product = await create_product(client, admin_headers, stock=10)
    order = (await place(client, user_headers, (product["id"], 4))).json()
    for status in ("confirmed", "processing", "shipped"):
        assert await set_status(client, admin_headers, order["id"], status) == 200, status
    shipped = (await client.get(f"/products/{product['id']}")).json()
    assert (shipped["stock_quantity"], shipped["reserved_quantity"]) == (6, 0)
    assert await set_status(client, admin_headers, order["id"], "shipped") == 409
    assert await set_status(client, admin_headers, order["id"], "delivered") == 200
    delivered = (await client.get(f"/products/{product['id']}")).json()
    assert (delivered["stock_quantity"], delivered["available_quantity"]) == (6, 6)
    assert (
        await client.post(f"/orders/{order['id']}/cancel", headers=user_headers)
    ).status_code == 409
    assert (await client.get(f"/orders/{order['id']}", headers=user_headers)).json()["status"] == (
        "delivered"
    )


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ([], "shipped"),
        ([], "delivered"),
        ([], "pending"),
        (["confirmed"], "pending"),
        (["confirmed", "processing", "shipped"], "cancelled"),
        (["cancelled"], "confirmed"),
    ],
)
async def test_other_transitions_are_409(
    client: httpx.AsyncClient,
    admin_headers: dict,
    user_headers: dict,
    path: list[str],
    target: str,
) -> None:
    """Any transition outside the allowed graph gives 409."""
    product = await create_product(client, admin_headers)
    order = (await place(client, user_headers, (product["id"], 1))).json()
    for status in path:
        assert await set_status(client, admin_headers, order["id"], status) == 200
    assert await set_status(client, admin_headers, order["id"], target) == 409


async def test_shipped_order_cannot_be_cancelled(
    client: httpx.AsyncClient, admin_headers: dict, user_headers: dict
) -> None:
    """POST /orders/{id}/cancel is 409 once the order has shipped; stock stays shipped."""
    product = await create_product(client, admin_headers, stock=3)
    order = (await place(client, user_headers, (product["id"], 2))).json()
    for status in ("confirmed", "processing", "shipped"):
        await set_status(client, admin_headers, order["id"], status)
    assert (
        await client.post(f"/orders/{order['id']}/cancel", headers=user_headers)
    ).status_code == 409
    after = (await client.get(f"/products/{product['id']}")).json()
    assert (after["stock_quantity"], after["reserved_quantity"]) == (1, 0)


@pytest.mark.hole("07.change_status")
async def test_cancel_via_status_releases_stock(
    client: httpx.AsyncClient, admin_headers: dict, user_headers: dict
) -> None:
    """PATCH status to "cancelled" from processing releases the reservation."""
    product = await create_product(client, admin_headers, stock=3)
    order = (await place(client, user_headers, (product["id"], 2))).json()
    for status in ("confirmed", "processing", "cancelled"):
        assert await set_status(client, admin_headers, order["id"], status) == 200
    after = (await client.get(f"/products/{product['id']}")).json()
    assert (after["stock_quantity"], after["available_quantity"]) == (3, 3)


async def test_status_update_failures(
    client: httpx.AsyncClient, admin_headers: dict, user_headers: dict
) -> None:
    """PATCH /orders/{id}/status: 401 no token, 403 non-admin, 404 unknown, 422 unknown status."""
    product = await create_product(client, admin_headers)
    order = (await place(client, user_headers, (product["id"], 1))).json()
    assert await set_status(client, {}, order["id"], "confirmed") == 401
    assert await set_status(client, user_headers, order["id"], "confirmed") == 403
    assert await set_status(client, admin_headers, str(uuid.uuid4()), "confirmed") == 404
    assert await set_status(client, admin_headers, order["id"], "lost") == 422
    response = await client.patch(
        f"/orders/{order['id']}/status",
        json={"status": "confirmed", "note": "x"},
        headers=admin_headers,
    )
    assert response.status_code == 422


async def test_deleted_product_keeps_past_order_items(
    client: httpx.AsyncClient, admin_headers: dict, user_headers: dict
) -> None:
    """After DELETE /products/{id}, past orders still show their items and prices."""
    product = await create_product(client, admin_headers, price="12.50")
    order = (await place(client, user_headers, (product["id"], 2))).json()
    assert (
        await client.delete(f"/products/{product['id']}", headers=admin_headers)
    ).status_code == 204
    again = (await client.get(f"/orders/{order['id']}", headers=user_headers)).json()
    assert again["items"] == order["items"]
    assert again["items"][0]["total_price"] == "25.00"
    response = await client.post(f"/orders/{order['id']}/cancel", headers=user_headers)
    assert response.status_code == 200, "a pending order of a deleted product can be cancelled"
    assert (await get_product(client, product["id"], admin_headers))["reserved_quantity"] == 0


async def test_stock_cannot_be_set_below_the_reserved_quantity(
    client: httpx.AsyncClient, admin_headers: dict, user_headers: dict
) -> None:
    """PATCH /products/{id} with stock_quantity below reserved_quantity is 422; equal is fine."""
    product = await create_product(client, admin_headers, stock=5)
    await place(client, user_headers, (product["id"], 3))
    url = f"/products/{product['id']}"
    too_low = await client.patch(url, json={"stock_quantity": 2}, headers=admin_headers)
    assert too_low.status_code == 422
    equal = await client.patch(url, json={"stock_quantity": 3}, headers=admin_headers)
    assert (equal.status_code, equal.json()["available_quantity"]) == (200, 0)


async def test_stock_below_a_reservation_made_meanwhile_is_still_422(
    client: httpx.AsyncClient,
    admin_headers: dict,
    user_headers: dict,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An order that reserves units after PATCH /products/{id} checked the reserved quantity,
    but before it wrote the new stock, makes that stock too low: still 422 with the quantity
    reserved now (the database's check refuses the write), never an undocumented 409, and the
    stock is unchanged."""
    from course_app.models import Product
    from course_app.repositories.products import ProductRepository

    product = await create_product(client, admin_headers, stock=5)
    assert (await place(client, user_headers, (product["id"], 1))).status_code == 201
    get = ProductRepository.get

    async def read_then_an_order(self: ProductRepository, product_id: uuid.UUID) -> Product | None:
        found = await get(self, product_id)
        # A customer's order lands in between, in a request and a transaction of its own.
        ordered = await place(client, user_headers, (product["id"], 2))
        assert ordered.status_code == 201, ordered.text
        return found

    monkeypatch.setattr(ProductRepository, "get", read_then_an_order)
    url = f"/products/{product['id']}"
    response = await client.patch(url, json={"stock_quantity": 2}, headers=admin_headers)
    monkeypatch.undo()  # get_product below reads through ProductRepository.get too
    assert response.status_code == 422, response.text
    assert "(3)" in response.json()["detail"]
    after = await get_product(client, product["id"], admin_headers)
    assert (after["stock_quantity"], after["reserved_quantity"]) == (5, 3)


@pytest.mark.hole("07.change_status")
async def test_a_change_from_a_stale_copy_is_refused_and_moves_no_stock(
    app: FastAPI, client: httpx.AsyncClient, admin_headers: dict, user_headers: dict
) -> None:
    """A change made from a stale copy of an order (its status changed since it was read) must
    raise InvalidTransitionError and move no stock: update the status only where it is still the
    one read, and check that the UPDATE changed a row.

    Two sessions read the same processing order; the first ships it, the second then tries to
    cancel it, which would release units that another order has reserved.
    """
    from course_app.enums import OrderStatus
    from course_app.repositories.orders import OrderRepository
    from course_app.services.orders import InvalidTransitionError, change_status

    product = await create_product(client, admin_headers, stock=10)
    assert (await place(client, user_headers, (product["id"], 3))).status_code == 201
    order = (await place(client, user_headers, (product["id"], 2))).json()
    for status in ("confirmed", "processing"):
        assert await set_status(client, admin_headers, order["id"], status) == 200
    order_id = uuid.UUID(order["id"])
    sessions = app.state.resources.session_factory
    async with sessions() as first, sessions() as second:
        current = await OrderRepository(first).get(order_id)
        stale = await OrderRepository(second).get(order_id)
        assert current is not None and stale is not None
        await change_status(first, current, OrderStatus.SHIPPED)
        with pytest.raises(InvalidTransitionError):
            await change_status(second, stale, OrderStatus.CANCELLED)
    read = await client.get(f"/orders/{order['id']}", headers=user_headers)
    assert read.json()["status"] == "shipped"
    after = (await client.get(f"/products/{product['id']}")).json()
    assert (after["stock_quantity"], after["reserved_quantity"]) == (8, 3)
