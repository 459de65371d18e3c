import uuid
from typing import Any

import httpx
import pytest

LAMP = {"name": "Desk Lamp", "category": "home", "price": "19.99", "stock_quantity": 5}


async def create(client: httpx.AsyncClient, headers: dict, **changes: Any) -> dict:
    response = await client.post("/products", json={**LAMP, **changes}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def test_admin_creates_a_product(client: httpx.AsyncClient, admin_headers: dict) -> None:
    """POST /products (admin) is 201 with a slug, money as a string and available_quantity."""
    product = await create(client, admin_headers, description="Bright")
    assert product["slug"] == "desk-lamp"
    assert product["price"] == "19.99"
    assert (product["stock_quantity"], product["reserved_quantity"]) == (5, 0)
    assert product["available_quantity"] == 5
    assert product["is_active"] is True
    uuid.UUID(product["id"])


async def test_same_name_gets_a_unique_slug(client: httpx.AsyncClient, admin_headers: dict) -> None:
    """Two products with the same name get different slugs."""
    first = await create(client, admin_headers)
    second = await create(client, admin_headers)
    assert first["slug"] != second["slug"]


async def test_create_product_failures(
    client: httpx.AsyncClient, admin_headers: dict, user_headers: dict
) -> None:
    """POST /products: 401 no token, 403 non-admin, 422 invalid body or unknown field."""
    assert (await client.post("/products", json=LAMP)).status_code == 401
    assert (await client.post("/products", json=LAMP, headers=user_headers)).status_code == 403
    for changes in (
        {"price": "0"},
        {"price": "1.234"},
        {"price": 19.999},
        {"name": ""},
        {"category": "toys"},
        {"stock_quantity": -1},
        {"slug": "mine"},
        {"reserved_quantity": 2},
    ):
        response = await client.post("/products", json={**LAMP, **changes}, headers=admin_headers)
        assert response.status_code == 422, changes


async def test_get_product_by_id_and_slug(client: httpx.AsyncClient, admin_headers: dict) -> None:
    """GET /products/{id} and /products/by-slug/{slug} return the product to anyone."""
    product = await create(client, admin_headers)
    by_id = await client.get(f"/products/{product['id']}")
    by_slug = await client.get(f"/products/by-slug/{product['slug']}")
    assert (by_id.status_code, by_slug.status_code) == (200, 200)
    assert by_id.json() == by_slug.json() == product


async def test_unknown_products_are_404(client: httpx.AsyncClient) -> None:
    """Unknown id or slug gives 404; an id that is not a UUID gives 422."""
    assert (await client.get(f"/products/{uuid.uuid4()}")).status_code == 404
    assert (await client.get("/products/by-slug/nothing-here")).status_code == 404
    assert (await client.get("/products/not-a-uuid")).status_code == 422


async def test_list_is_a_page_of_active_products_newest_first(
    client: httpx.AsyncClient, admin_headers: dict
) -> None:
    """GET /products lists active products newest first, with total and pages."""
    for name in ("First", "Second", "Third"):
        await create(client, admin_headers, name=name)
    await create(client, admin_headers, name="Hidden", is_active=False)
    page = (await client.get("/products", params={"per_page": 2})).json()
    assert (page["total"], page["page"], page["per_page"], page["pages"]) == (3, 1, 2, 2)
    assert [item["name"] for item in page["items"]] == ["Third", "Second"]
    last = (await client.get("/products", params={"per_page": 2, "page": 2})).json()
    assert [item["name"] for item in last["items"]] == ["First"]


async def test_empty_list_has_zero_pages(client: httpx.AsyncClient) -> None:
    """An empty catalogue is {"items": [], "total": 0, "page": 1, "per_page": 20, "pages": 0}."""
    response = await client.get("/products")
    assert response.json() == {"items": [], "total": 0, "page": 1, "per_page": 20, "pages": 0}


async def test_filters(client: httpx.AsyncClient, admin_headers: dict) -> None:
    """q (literal, case-insensitive), category, min_price and max_price filter the list."""
    await create(client, admin_headers, name="Red Ball", category="sports", price="5.00")
    await create(
        client,
        admin_headers,
        name="Novel",
        category="books",
        price="15.00",
        description="A red cover",
    )
    await create(client, admin_headers, name="50% Sale Lamp", price="30.00")

    async def names(**params: Any) -> set[str]:
        response = await client.get("/products", params=params)
        assert response.status_code == 200, response.text
        return {item["name"] for item in response.json()["items"]}

    assert await names(q="RED") == {"Red Ball", "Novel"}
    assert await names(category="books") == {"Novel"}
    assert await names(min_price="10", max_price="30") == {"Novel", "50% Sale Lamp"}
    assert await names(q="50%") == {"50% Sale Lamp"}
    assert await names(q="%") == {"50% Sale Lamp"}
    assert await names(q="_") == set()
    assert await names(q="'") == set()


@pytest.mark.parametrize(
    "params",
    [
        {"category": "toys"},
        {"min_price": "-1"},
        {"max_price": "abc"},
        {"min_price": "20", "max_price": "10"},
        {"per_page": 0},
        {"per_page": 101},
        {"page": 0},
        {"page": 10**20},
        {"min_price": "1e1000"},
        {"max_price": "NaN"},
    ],
)
async def test_bad_list_parameters_are_422(client: httpx.AsyncClient, params: dict) -> None:
    """Unknown category, negative or non-numeric price, min > max, bad page or per_page: 422."""
    assert (await client.get("/products", params=params)).status_code == 422


async def test_update_product_keeps_the_slug(
    client: httpx.AsyncClient, admin_headers: dict
) -> None:
    """PATCH /products/{id} changes the given fields; renaming keeps the slug."""
    product = await create(client, admin_headers)
    response = await client.patch(
        f"/products/{product['id']}",
        json={"name": "Floor Lamp", "price": "25.50", "stock_quantity": 9},
        headers=admin_headers,
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["price"], body["slug"]) == ("Floor Lamp", "25.50", "desk-lamp")
    assert body["available_quantity"] == 9


async def test_update_product_failures(
    client: httpx.AsyncClient, admin_headers: dict, user_headers: dict
) -> None:
    """PATCH /products/{id}: 401, 403, 404 unknown, 422 invalid or unknown field."""
    product = await create(client, admin_headers)
    url = f"/products/{product['id']}"
    assert (await client.patch(url, json={"price": "1.00"})).status_code == 401
    assert (
        await client.patch(url, json={"price": "1.00"}, headers=user_headers)
    ).status_code == 403
    assert (
        await client.patch(f"/products/{uuid.uuid4()}", json={}, headers=admin_headers)
    ).status_code == 404
    for body in ({"price": "-1"}, {"slug": "x"}, {"name": None}, {"stock_quantity": -3}):
        assert (await client.patch(url, json=body, headers=admin_headers)).status_code == 422


async def test_delete_is_a_soft_delete(client: httpx.AsyncClient, admin_headers: dict) -> None:
    """DELETE /products/{id} is 204; the product is then hidden (404) and not listed."""
    product = await create(client, admin_headers)
    url = f"/products/{product['id']}"
    assert (await client.delete(url, headers=admin_headers)).status_code == 204
    assert (await client.get(url)).status_code == 404
    assert (await client.get(f"/products/by-slug/{product['slug']}")).status_code == 404
    assert (await client.get("/products")).json()["total"] == 0
    assert (await client.delete(url, headers=admin_headers)).status_code == 404


async def test_delete_failures(
    client: httpx.AsyncClient, admin_headers: dict, user_headers: dict
) -> None:
    """DELETE /products/{id}: 401 no token, 403 non-admin, 404 unknown."""
    product = await create(client, admin_headers)
    url = f"/products/{product['id']}"
    assert (await client.delete(url)).status_code == 401
    assert (await client.delete(url, headers=user_headers)).status_code == 403
    assert (
        await client.delete(f"/products/{uuid.uuid4()}", headers=admin_headers)
    ).status_code == 404


async def test_creation_defaults_and_limits(client: httpx.AsyncClient, admin_headers: dict) -> None:
    """stock_quantity defaults to 0 and is_active to true; name 1-200, description up to 2000."""
    body = {"name": "N" * 200, "category": "books", "price": "5.00", "description": "d" * 2000}
    response = await client.post("/products", json=body, headers=admin_headers)
    assert response.status_code == 201, response.text
    product = response.json()
    assert (product["stock_quantity"], product["available_quantity"]) == (0, 0)
    assert product["is_active"] is True
    assert product["created_at"].endswith(("Z", "+00:00")), "timestamps must be timezone-aware"
    for changes in ({"name": "N" * 201}, {"description": "d" * 2001}):
        response = await client.post("/products", json={**body, **changes}, headers=admin_headers)
        assert response.status_code == 422, changes


async def test_product_shape(client: httpx.AsyncClient, admin_headers: dict) -> None:
    """A product has exactly the contract's fields."""
    product = await create(client, admin_headers)
    assert set(product) == {
        "id",
        "name",
        "slug",
        "description",
        "category",
        "price",
        "stock_quantity",
        "reserved_quantity",
        "available_quantity",
        "is_active",
        "created_at",
        "updated_at",
    }


async def test_patch_accepts_any_subset_and_reactivates(
    client: httpx.AsyncClient, admin_headers: dict
) -> None:
    """PATCH /products/{id} takes any subset of the creation fields, including is_active."""
    product = await create(client, admin_headers)
    url = f"/products/{product['id']}"
    for body in ({"description": "New"}, {"category": "books"}, {"is_active": False}):
        response = await client.patch(url, json=body, headers=admin_headers)
        assert response.status_code == 200, body
    assert (await client.get(url)).status_code == 404, "an inactive product is hidden"
    assert (
        await client.patch(url, json={"is_active": True}, headers=admin_headers)
    ).status_code == 200
    assert (await client.get(url)).status_code == 200
