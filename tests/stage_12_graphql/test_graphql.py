"""Stage 12: POST /graphql serves products and the caller's orders over the same services and
rules as REST, with a depth limit and a bounded number of SQL statements per request."""

import asyncio
import logging
from typing import Any

import httpx
import pytest

from tests.helpers import add_user, create_product, open_client, place, postgres_only
from tests.query_counter import count_queries

PRODUCTION_SECRET = "a-production-secret-that-is-long-enough-0123456789"
ORDERS = (
    "{ orders { total items { id orderNumber items { quantity unitPrice product { name } } } } }"
)
PLACE = """
mutation Place($items: [OrderItemInput!]!) {
  placeOrder(input: {items: $items}) { id status totalAmount items { unitPrice totalPrice } }
}"""
CANCEL = "mutation Cancel($id: UUID!) { cancelOrder(id: $id) { id status } }"
ONE_ORDER = "query One($id: UUID!) { order(id: $id) { id orderNumber } }"


async def post(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The GraphQL answer: always HTTP 200 with `data` and maybe `errors`."""
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers or {}
    )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def messages(answer: dict[str, Any]) -> str:
    return " | ".join(error["message"] for error in answer.get("errors", []))


async def reserved(client: httpx.AsyncClient, product_id: str) -> int:
    quantity: int = (await client.get(f"/products/{product_id}")).json()["reserved_quantity"]
    return quantity


async def test_anonymous_callers_read_products(
    client: httpx.AsyncClient, admin_headers: dict
) -> None:
    """Anyone may list, search and read products, with prices as strings, as REST has them."""
    lamp = await create_product(client, admin_headers, name="Desk Lamp", price="24.50")
    await create_product(client, admin_headers, name="Vase", price="9.99")
    answer = await post(
        client,
        """query($id: UUID!) {
          all: products { total items { name } }
          found: products(search: "lamp") { total items { name price category availableQuantity } }
          one: product(id: $id) { name slug }
        }""",
        {"id": lamp["id"]},
    )
    assert "errors" not in answer, answer
    data = answer["data"]
    assert data["all"]["total"] == 2
    assert data["found"]["items"] == [
        {"name": "Desk Lamp", "price": "24.50", "category": "HOME", "availableQuantity": 10}
    ]
    assert data["one"] == {"name": "Desk Lamp", "slug": lamp["slug"]}


async def test_an_unknown_or_inactive_product_is_not_found(
    client: httpx.AsyncClient, admin_headers: dict
) -> None:
    """product(id) of an id that does not exist, or of a product no longer for sale, is a "not
    found" error, as REST's 404."""
    retired = await create_product(client, admin_headers)
    await client.delete(f"/products/{retired['id']}", headers=admin_headers)
    query = "query($id: UUID!) { product(id: $id) { name } }"
    for product_id in (retired["id"], "00000000-0000-4000-8000-000000000000"):
        answer = await post(client, query, {"id": product_id})
        assert answer["data"] is None
        assert "not found" in messages(answer)


@pytest.mark.hole("12.context_user")
async def test_orders_need_a_user(client: httpx.AsyncClient) -> None:
    """Without a token, products work and orders are an error that says "not authenticated":
    no token means an anonymous caller (None), not a failure of the whole request."""
    answer = await post(client, "{ products { total } }")
    assert answer == {"data": {"products": {"total": 0}}}
    answer = await post(client, "{ orders { total } }")
    assert answer["data"] is None
    assert "not authenticated" in messages(answer)


@pytest.mark.hole("12.context_user")
async def test_a_bad_token_is_refused_as_in_rest(client: httpx.AsyncClient) -> None:
    """A token that is not valid gets REST's own 401 with WWW-Authenticate, even for products:
    it is never quietly treated as anonymous. Call get_current_user, do not rewrite it."""
    for token in ("not-a-jwt", "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl"):
        response = await client.post(
            "/graphql",
            json={"query": "{ products { total } }"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 401, response.text
        assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.hole("12.context_user")
async def test_an_inactive_user_is_refused(
    app: Any, client: httpx.AsyncClient, known_password_hash: str
) -> None:
    """A suspended user's token gets 403 from GraphQL as from REST: the user's status is
    checked (get_current_user does it), not only the token's signature."""
    _, headers = await add_user(
        app, known_password_hash, email="gone@example.com", status="suspended"
    )
    rest = await client.get("/orders", headers=headers)
    response = await client.post("/graphql", json={"query": ORDERS}, headers=headers)
    assert (rest.status_code, response.status_code) == (403, 403), response.text


async def test_the_same_token_sees_the_same_orders_as_rest(
    client: httpx.AsyncClient, admin_headers: dict, user_headers: dict
) -> None:
    """The Bearer token of REST works on /graphql, and `orders` lists exactly the caller's
    orders, with their items."""
    product = await create_product(client, admin_headers, price="10.00")
    mine = [(await place(client, user_headers, (product["id"], n))).json() for n in (1, 2)]
    await place(client, admin_headers, (product["id"], 1))  # someone else's
    answer = await post(client, ORDERS, headers=user_headers)
    assert "errors" not in answer, answer
    orders = answer["data"]["orders"]
    assert orders["total"] == 2
    assert {order["id"] for order in orders["items"]} == {order["id"] for order in mine}
    quantities = sorted(order["items"][0]["quantity"] for order in orders["items"])
    assert quantities == [1, 2]
    assert orders["items"][0]["items"][0]["product"] == {"name": "Lamp"}


async def test_another_users_order_is_not_found(
    app: Any,
    client: httpx.AsyncClient,
    admin_headers: dict,
    user_headers: dict,
    known_password_hash: str,
) -> None:
    """Someone else's order is "not found", exactly like an order that does not exist (REST's
    404, not 403), for reading and for cancelling; and it stays reserved."""
    product = await create_product(client, admin_headers)
    theirs = (await place(client, user_headers, (product["id"], 1))).json()
    _, mallory = await add_user(app, known_password_hash, email="mallory@example.com")
    for query in (ONE_ORDER, CANCEL):
        stranger = await post(client, query, {"id": theirs["id"]}, mallory)
        missing = await post(client, query, {"id": "00000000-0000-4000-8000-000000000000"}, mallory)
        assert stranger["data"] is None and missing["data"] is None
        assert messages(stranger) == messages(missing) == "order not found"
    assert await reserved(client, product["id"]) == 1
    owner = await post(client, ONE_ORDER, {"id": theirs["id"]}, user_headers)
    assert owner["data"]["order"]["id"] == theirs["id"]


async def test_place_order_uses_server_prices_and_reserves(
    client: httpx.AsyncClient, admin_headers: dict, user_headers: dict
) -> None:
    """placeOrder goes through the order service: prices from the database, the stock
    reserved, the same totals as REST."""
    product = await create_product(client, admin_headers, price="12.50", stock=5)
    items = [{"productId": product["id"], "quantity": 2}]
    answer = await post(client, PLACE, {"items": items}, user_headers)
    assert "errors" not in answer, answer
    order = answer["data"]["placeOrder"]
    assert order["status"] == "PENDING"
    assert order["items"] == [{"unitPrice": "12.50", "totalPrice": "25.00"}]
    rest = (await client.get(f"/orders/{order['id']}", headers=user_headers)).json()
    assert order["totalAmount"] == rest["total_amount"]
    assert await reserved(client, product["id"]) == 2


async def test_a_client_cannot_send_a_price(
    client: httpx.AsyncClient, admin_headers: dict, user_headers: dict
) -> None:
    """The input has no price field: a unitPrice is refused before anything is reserved."""
    product = await create_product(client, admin_headers, price="12.50")
    items = [{"productId": product["id"], "quantity": 1, "unitPrice": "0.01"}]
    answer = await post(client, PLACE, {"items": items}, user_headers)
    assert answer.get("data") is None
    assert "unitPrice" in messages(answer)
    assert await reserved(client, product["id"]) == 0


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([], "at least 1 item"),
        ("twice", "only once"),
        ([{"quantity": 99}], "not enough stock"),
        ([{"productId": "00000000-0000-4000-8000-000000000000"}], "not found"),
    ],
)
async def test_a_refused_order_reserves_nothing(
    client: httpx.AsyncClient,
    admin_headers: dict,
    user_headers: dict,
    items: Any,
    expected: str,
) -> None:
    """An order the rules refuse (no items, a product twice, too little stock, an unknown
    product) is an error saying why, and reserves nothing."""
    product = await create_product(client, admin_headers, stock=5)
    item = {"productId": product["id"], "quantity": 1}
    body = [item, item] if items == "twice" else [item | extra for extra in items]
    answer = await post(client, PLACE, {"items": body}, user_headers)
    assert answer["data"] is None
    assert expected in messages(answer)
    assert await reserved(client, product["id"]) == 0


async def test_cancel_order_releases_the_stock_once(
    client: httpx.AsyncClient, admin_headers: dict, user_headers: dict
) -> None:
    """cancelOrder cancels the caller's order and releases its stock; a second cancel is an
    error and releases nothing more."""
    product = await create_product(client, admin_headers, stock=5)
    order = (await place(client, user_headers, (product["id"], 3))).json()
    first = await post(client, CANCEL, {"id": order["id"]}, user_headers)
    assert first == {"data": {"cancelOrder": {"id": order["id"], "status": "CANCELLED"}}}
    again = await post(client, CANCEL, {"id": order["id"]}, user_headers)
    assert again["data"] is None and "cannot be cancelled" in messages(again)
    assert await reserved(client, product["id"]) == 0


def nested(depth: int) -> str:
    """An orders query `depth` levels deep, going round items -> order -> items. As Strawberry
    counts it, a top-level field is at depth 0: `{ orders { total } }` is 1 deep."""
    path = ["orders", "items"]  # a page of orders, its orders
    while len(path) < depth:
        path.append("items" if path[-1] in ("items", "order") and len(path) % 2 == 0 else "order")
    leaf = {"orders": "total", "order": "id"}.get(path[-1], "id" if len(path) == 2 else "quantity")
    return "{ " + " { ".join(path) + f" {{ {leaf} " + "} " * len(path) + "}"


async def test_queries_deeper_than_ten_are_refused(
    client: httpx.AsyncClient, user_headers: dict
) -> None:
    """A query nested more than 10 levels below its top-level field is refused before it runs,
    with an error that mentions depth; 10 levels are still fine."""
    assert "errors" not in await post(client, nested(10), headers=user_headers)
    answer = await post(client, nested(11), headers=user_headers)
    assert answer.get("data") is None
    assert "depth" in messages(answer)


async def test_introspection_outside_production(client: httpx.AsyncClient) -> None:
    """Outside production a client may ask the schema about itself (`__schema`)."""
    answer = await post(client, "{ __schema { queryType { name } } }")
    assert answer == {"data": {"__schema": {"queryType": {"name": "Query"}}}}


async def test_no_introspection_in_production(make_app: Any) -> None:
    """In production `__schema` and `__type` are refused: the schema is not a public map."""
    app = make_app(environment="production", secret_key=PRODUCTION_SECRET)
    async with open_client(app) as client:
        for query in ("{ __schema { queryType { name } } }", '{ __type(name: "Order") { name } }'):
            answer = await post(client, query)
            assert answer.get("data") is None
            assert "introspection" in messages(answer).lower()
        assert await post(client, "{ __typename }") == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize(
    "body",
    [
        {"query": "{ products { "},
        {"query": "{ products { nope } }"},
        {"query": "query($id: UUID!) { product(id: $id) { name } }", "variables": {"id": 7}},
        {"query": "query($id: UUID!) { product(id: $id) { name } }", "variables": {"id": "x"}},
        {"query": "query($n: Int!) { products(perPage: $n) { total } }", "variables": {"n": "a"}},
        {"query": "{ products(perPage: 100000) { total } }"},
        {"query": '{ products(minPrice: "cheap") { total } }'},
        {"query": "{ products(page: 99999999999) { total } }"},
        {"query": "mutation { cancelOrder(id: 1) { id } }"},
    ],
    ids=[
        "syntax",
        "unknown-field",
        "variable-type",
        "bad-uuid",
        "int-variable",
        "per-page",
        "price",
        "int-overflow",
        "argument-type",
    ],
)
async def test_bad_graphql_gets_an_error_answer(
    app: Any, body: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """A broken query, an unknown field or a variable of the wrong type gets a GraphQL error
    that says what is wrong, never a 500, and logs no traceback."""
    async with open_client(app, raise_app_exceptions=False) as client:
        response = await client.post("/graphql", json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer.get("data") is None and answer["errors"], answer
    assert "Unexpected error" not in messages(answer)
    assert not [record for record in caplog.records if record.exc_info]


@pytest.mark.parametrize(
    "content",
    [
        b"not json",
        b'{"variables": {}}',
        b"[1, 2]",
        b'{"query": 5}',
        b'"AAA"',
        b"5",
        b"null",
        b'{"query": "\xac\xff"}',
        b"[" * 100_000,
    ],
    ids=[
        "not-json",
        "no-query",
        "a-list",
        "query-not-text",
        "a-string",
        "a-number",
        "null",
        "not-utf8",
        "deeply-nested",
    ],
)
async def test_a_body_that_is_not_a_graphql_request_is_a_400(app: Any, content: bytes) -> None:
    """A body that is not a GraphQL request at all is a 4xx, never a 500."""
    async with open_client(app, raise_app_exceptions=False) as client:
        response = await client.post(
            "/graphql", content=content, headers={"Content-Type": "application/json"}
        )
    assert 400 <= response.status_code < 500, response.text


async def test_graphql_is_post_only(client: httpx.AsyncClient) -> None:
    """GET /graphql (no GraphiQL page, no queries in the URL) gets 405 with `Allow: POST`."""
    response = await client.get("/graphql", params={"query": "{ products { total } }"})
    assert response.status_code == 405, response.text
    assert response.headers["Allow"] == "POST"


async def test_a_failing_resolver_is_masked_and_logged(
    app: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A resolver's own failure (a bug, a database down) reaches the client as "Unexpected
    error." without its details, and the log has the traceback."""
    from course_app.repositories.products import ProductRepository

    async def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(ProductRepository, "search", broken)
    async with open_client(app, raise_app_exceptions=False) as client:
        with caplog.at_level(logging.ERROR):
            answer = await post(client, "{ products { total } }")
    assert messages(answer) == "Unexpected error."
    assert "secret internals" not in str(answer)
    assert any(
        record.exc_info and "secret internals" in str(record.exc_info[1])
        for record in caplog.records
    )


@postgres_only("SQLite stores a NUL character in text; PostgreSQL refuses it (SQLSTATE 22021)")
async def test_a_value_the_database_refuses_is_the_clients_error(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    """A search for a NUL character, which PostgreSQL cannot hold in text, gets REST's 422
    message as its error, not the masked "Unexpected error." of a bug, and logs no error."""
    from course_app.errors import VALUE_OUT_OF_RANGE

    query = "query Search($q: String!) { products(search: $q) { total } }"
    with caplog.at_level(logging.ERROR):
        answer = await post(client, query, {"q": "lamp\u0000"})
    assert answer["data"] is None
    assert messages(answer) == VALUE_OUT_OF_RANGE
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


async def orders_with_distinct_products(
    client: httpx.AsyncClient, admin: dict, user: dict, count: int, per_order: int
) -> list[list[str]]:
    """`count` orders of `per_order` products each, every product a new one, ordered newest
    first (not in the order the database holds them); the names of each order's products."""
    names = []
    for n in range(count):
        products = [
            await create_product(client, admin, name=f"Item {n}-{k}", stock=5)
            for k in range(per_order)
        ]
        products.reverse()
        response = await place(client, user, *[(product["id"], 1) for product in products])
        assert response.status_code == 201, response.text
        names.append([product["name"] for product in products])
    return names


async def statements_for_orders(app: Any, client: httpx.AsyncClient, user: dict) -> int:
    with count_queries(app.state.resources.database.engine) as queries:
        answer = await post(client, ORDERS + " ", headers=user)
    assert "errors" not in answer, answer
    return queries.count


@pytest.mark.hole("12.load_products")
async def test_statements_per_request_do_not_grow_with_orders(
    app: Any, client: httpx.AsyncClient, admin_headers: dict, user_headers: dict
) -> None:
    """Orders with their items and each item's product cost the same number of SQL statements
    for 1 order as for 20 orders of 3 products: the product loader fetches every product of the
    request in one query, not one query per item (N+1)."""
    await orders_with_distinct_products(client, admin_headers, user_headers, 1, 3)
    one = await statements_for_orders(app, client, user_headers)
    await orders_with_distinct_products(client, admin_headers, user_headers, 19, 3)
    twenty = await statements_for_orders(app, client, user_headers)
    assert one == twenty, f"{one} statements for 1 order, {twenty} for 20"
    assert twenty <= 6, twenty


@pytest.mark.hole("12.load_products")
async def test_every_item_shows_its_own_product(
    client: httpx.AsyncClient, admin_headers: dict, user_headers: dict
) -> None:
    """Each item's product is the product it was ordered as: the batch function must answer in
    the order of the keys it was given, not in the order the database returns the rows."""
    names = await orders_with_distinct_products(client, admin_headers, user_headers, 4, 3)
    query = "{ orders { items { items { productId product { id name } } } } }"
    answer = await post(client, query, headers=user_headers)
    assert "errors" not in answer, answer
    items = [item for order in answer["data"]["orders"]["items"] for item in order["items"]]
    assert len(items) == 12
    assert all(item["product"]["id"] == item["productId"] for item in items), items
    assert sorted(item["product"]["name"] for item in items) == sorted(
        name for order in names for name in order
    )


async def test_loaders_do_not_outlive_a_request(
    client: httpx.AsyncClient, admin_headers: dict, user_headers: dict
) -> None:
    """A new price is seen by the next request: each request has its own loaders, so nothing
    loaded for one request is served to another."""
    product = await create_product(client, admin_headers, price="10.00")
    await place(client, user_headers, (product["id"], 1))
    query = "{ orders { items { items { product { price } } } } }"
    before = await post(client, query, headers=user_headers)
    await client.patch(f"/products/{product['id']}", json={"price": "11.00"}, headers=admin_headers)
    after = await post(client, query, headers=user_headers)
    price = ("data", "orders", "items", 0, "items", 0, "product", "price")

    def dig(answer: Any) -> Any:
        for step in price:
            answer = answer[step]
        return answer

    assert (dig(before), dig(after)) == ("10.00", "11.00")


async def test_many_aliases_are_refused(client: httpx.AsyncClient) -> None:
    """One field asked for under many names multiplies its cost: more than 15 aliases in one
    request are refused."""
    aliases = " ".join(f"a{n}: products {{ total }}" for n in range(16))
    answer = await post(client, f"{{ {aliases} }}")
    assert answer.get("data") is None
    assert "aliases" in messages(answer).lower()
    fine = " ".join(f"a{n}: products {{ total }}" for n in range(15))
    assert "errors" not in await post(client, f"{{ {fine} }}")


async def test_sibling_fields_resolve_at_once_on_both_databases(
    fresh_url: str, known_password_hash: str
) -> None:
    """GraphQL resolves sibling fields concurrently: with a session per resolver and per batch,
    a request with several lists, and ten such requests at once, work on SQLite and PostgreSQL
    alike (one shared AsyncSession fails with "concurrent operations are not permitted")."""
    from course_app.main import create_app
    from course_app.settings import Settings

    app = create_app(Settings(_env_file=None, environment="test", database_url=fresh_url))
    async with open_client(app) as client:
        _, admin = await add_user(app, known_password_hash, email="a@example.com", role="admin")
        _, user = await add_user(app, known_password_hash, email="u@example.com")
        lamp = await create_product(client, admin, name="Lamp")
        vase = await create_product(client, admin, name="Vase")
        await place(client, user, (lamp["id"], 1), (vase["id"], 2))
        query = """{
          a: products { total }
          b: orders { items { items { product { name } } } }
          c: products(search: "vase") { items { name } }
          d: orders { total items { items { product { name } } } }
        }"""
        answers = await asyncio.gather(*(post(client, query, headers=user) for _ in range(10)))
    for answer in answers:
        assert "errors" not in answer, answer
        assert answer["data"]["a"]["total"] == 2
        assert answer["data"]["d"]["total"] == 1
        names = {item["product"]["name"] for item in answer["data"]["b"]["items"][0]["items"]}
        assert names == {"Lamp", "Vase"}
