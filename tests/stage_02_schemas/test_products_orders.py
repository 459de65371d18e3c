import uuid
from decimal import Decimal

import pytest
from pydantic import ValidationError

from course_app.schemas.common import Page
from course_app.schemas.orders import OrderCreate, OrderItemPublic, OrderStatusUpdate
from course_app.schemas.products import ProductCreate, ProductPublic, ProductUpdate

PRODUCT = {"name": "Desk Lamp", "category": "home", "price": "19.99"}


def test_valid_product_is_accepted_with_defaults() -> None:
    """A product needs name, category and price; stock defaults to 0 and is_active to true."""
    product = ProductCreate.model_validate(PRODUCT)
    assert product.price == Decimal("19.99")
    assert product.stock_quantity == 0
    assert product.is_active is True


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("price", "0"),
        ("price", "-1.00"),
        ("price", "1.999"),
        ("price", "abc"),
        ("price", "100000000.00"),
        ("name", ""),
        ("name", "x" * 201),
        ("description", "x" * 2001),
        ("category", "toys"),
        ("stock_quantity", -1),
        ("slug", "my-slug"),
        ("reserved_quantity", 3),
    ],
)
def test_invalid_products_are_refused(field: str, value: object) -> None:
    """Price > 0 with 2 places, name 1-200, description <= 2000, known category, stock >= 0."""
    with pytest.raises(ValidationError):
        ProductCreate.model_validate({**PRODUCT, field: value})


def test_product_update_is_partial_and_refuses_null_for_required_columns() -> None:
    """ProductUpdate accepts any subset; null is refused except for description."""
    assert ProductUpdate.model_validate({"price": "5.00"}).model_dump(exclude_unset=True) == {
        "price": Decimal("5.00")
    }
    assert ProductUpdate.model_validate({"description": None}).description is None
    for field in ("name", "price", "category", "stock_quantity", "is_active"):
        with pytest.raises(ValidationError):
            ProductUpdate.model_validate({field: None})


def test_product_public_serializes_money_as_string_and_computes_available() -> None:
    """Money is a JSON string with 2 places; available_quantity = stock - reserved."""

    class Row:
        id = uuid.uuid4()
        name = "Lamp"
        slug = "lamp"
        description = None
        category = "home"
        price = Decimal("20")
        stock_quantity = 10
        reserved_quantity = 3
        is_active = True
        created_at = "2024-01-01T00:00:00Z"
        updated_at = "2024-01-01T00:00:00Z"

    data = ProductPublic.model_validate(Row()).model_dump(mode="json")
    assert data["price"] == "20.00"
    assert data["available_quantity"] == 7


def test_order_create_takes_product_and_quantity_only() -> None:
    """Clients send product_id and quantity; a unit_price is refused (prices come from the DB)."""
    product_id = str(uuid.uuid4())
    order = OrderCreate.model_validate({"items": [{"product_id": product_id, "quantity": 2}]})
    assert order.items[0].quantity == 2
    with pytest.raises(ValidationError):
        OrderCreate.model_validate(
            {"items": [{"product_id": product_id, "quantity": 1, "unit_price": "0.01"}]}
        )


@pytest.mark.parametrize(
    "body",
    [
        {"items": []},
        {"items": [{"product_id": "11111111-1111-1111-1111-111111111111", "quantity": 0}]},
        {"items": [{"product_id": "not-a-uuid", "quantity": 1}]},
        {
            "items": [
                {"product_id": "11111111-1111-1111-1111-111111111111", "quantity": 1},
                {"product_id": "11111111-1111-1111-1111-111111111111", "quantity": 2},
            ]
        },
        {
            "items": [{"product_id": "11111111-1111-1111-1111-111111111111", "quantity": 1}],
            "customer_notes": "x" * 501,
        },
    ],
    ids=["empty", "quantity-0", "bad-uuid", "duplicate-product", "notes-too-long"],
)
def test_invalid_orders_are_refused(body: dict[str, object]) -> None:
    """Orders need >= 1 item, quantity >= 1, distinct products and notes <= 500 characters."""
    with pytest.raises(ValidationError):
        OrderCreate.model_validate(body)


@pytest.mark.hole("02.no_duplicates")
def test_the_same_product_twice_is_refused() -> None:
    """The same product_id twice is refused, whatever the quantities: compare the product ids, and
    say no with `raise ValueError(...)`, which pydantic turns into a ValidationError (a 422)."""
    lamp, book = str(uuid.uuid4()), str(uuid.uuid4())
    for quantities in [(1, 1), (1, 3)]:
        items = [{"product_id": lamp, "quantity": quantity} for quantity in quantities]
        with pytest.raises(ValidationError) as caught:
            OrderCreate.model_validate({"items": [*items, {"product_id": book, "quantity": 1}]})
        assert caught.value.errors()[0]["loc"] == ("items",)


@pytest.mark.hole("02.no_duplicates")
def test_distinct_products_are_kept_in_order() -> None:
    """Distinct products pass, and the validator returns the list it checked: a validator that
    returns nothing turns `items` into None."""
    ids = [uuid.uuid4() for _ in range(3)]
    body = {"items": [{"product_id": str(id_), "quantity": 1} for id_ in ids]}
    order = OrderCreate.model_validate(body)
    assert [item.product_id for item in order.items] == ids


def test_order_status_update_refuses_unknown_status() -> None:
    """OrderStatusUpdate accepts only the OrderStatus values."""
    assert OrderStatusUpdate.model_validate({"status": "shipped"}).status == "shipped"
    with pytest.raises(ValidationError):
        OrderStatusUpdate.model_validate({"status": "lost"})


def test_order_item_money_serializes_with_two_places() -> None:
    """unit_price and total_price are JSON strings with exactly 2 decimal places."""
    item = OrderItemPublic(
        product_id=uuid.uuid4(), quantity=3, unit_price=Decimal("1.5"), total_price=Decimal("4.5")
    )
    data = item.model_dump(mode="json")
    assert (data["unit_price"], data["total_price"]) == ("1.50", "4.50")


@pytest.mark.hole("02.pages")
@pytest.mark.parametrize(
    ("total", "per_page", "pages"), [(0, 20, 0), (1, 20, 1), (20, 20, 1), (21, 20, 2), (5, 1, 5)]
)
def test_page_counts_pages_with_ceil(total: int, per_page: int, pages: int) -> None:
    """pages = ceil(total / per_page), so 0 when there is nothing. Floor division alone drops the
    last, partly filled page; adding 1 to it counts a page too many when the total divides evenly."""
    page = Page[int].build([], total=total, page=1, per_page=per_page)
    assert page.pages == pages
    assert set(page.model_dump()) == {"items", "total", "page", "per_page", "pages"}


@pytest.mark.hole("02.pages")
def test_page_count_stays_exact_for_huge_totals() -> None:
    """pages is counted in integers: `total / per_page` goes through a float, which rounds a total
    past 2**53, and math.ceil cannot bring the lost unit back."""
    total = 2**53 + 1
    assert Page[int].build([], total=total, page=1, per_page=1).pages == total
    assert Page[int].build([], total=total, page=1, per_page=2).pages == 2**52 + 1


def test_category_and_order_status_values_match_the_contract() -> None:
    """ProductCategory and OrderStatus hold exactly the values of the API contract."""
    from course_app.enums import OrderStatus, ProductCategory

    assert [c.value for c in ProductCategory] == [
        "electronics",
        "clothing",
        "books",
        "home",
        "sports",
    ]
    assert [s.value for s in OrderStatus] == [
        "pending",
        "confirmed",
        "processing",
        "shipped",
        "delivered",
        "cancelled",
    ]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "x"),
        ("name", "x" * 200),
        ("description", "x" * 2000),
        ("price", "0.01"),
        ("price", "12.3"),
        ("price", 7),
        ("stock_quantity", 0),
        ("is_active", False),
    ],
)
def test_product_values_within_bounds_are_accepted(field: str, value: object) -> None:
    """Boundary values are accepted: name 1 and 200, description 2000, price 0.01, stock 0."""
    product = ProductCreate.model_validate({**PRODUCT, field: value})
    assert getattr(product, field) is not None


@pytest.mark.parametrize("missing", ["name", "category", "price"])
def test_product_required_fields(missing: str) -> None:
    """name, category and price are required to create a product."""
    with pytest.raises(ValidationError):
        ProductCreate.model_validate({k: v for k, v in PRODUCT.items() if k != missing})


def test_product_update_refuses_unknown_fields_and_applies_rules() -> None:
    """ProductUpdate uses extra="forbid" and the same rules as ProductCreate."""
    for body in (
        {"slug": "new"},
        {"price": "0"},
        {"price": "1.234"},
        {"name": ""},
        {"stock_quantity": -1},
    ):
        with pytest.raises(ValidationError):
            ProductUpdate.model_validate(body)


def test_order_notes_of_500_characters_are_accepted() -> None:
    """customer_notes may be up to 500 characters, and may be left out."""
    item = {"product_id": str(uuid.uuid4()), "quantity": 1}
    order = OrderCreate.model_validate({"items": [item], "customer_notes": "x" * 500})
    assert len(order.customer_notes or "") == 500
    assert OrderCreate.model_validate({"items": [item]}).customer_notes is None


@pytest.mark.parametrize("field", ["user_id", "status", "total_amount", "subtotal"])
def test_order_create_refuses_server_side_fields(field: str) -> None:
    """The client cannot send user_id, status or any total: the server computes them."""
    item = {"product_id": str(uuid.uuid4()), "quantity": 1}
    with pytest.raises(ValidationError, match="Extra inputs"):
        OrderCreate.model_validate({"items": [item], field: "x"})


def test_order_public_reads_nested_items_and_serializes_money() -> None:
    """OrderPublic is built from an ORM-like object with items; all money is a 2-place string."""
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from course_app.schemas.orders import OrderPublic

    now = datetime(2024, 1, 1, tzinfo=UTC)
    item = SimpleNamespace(
        product_id=uuid.uuid4(), quantity=2, unit_price=Decimal("10"), total_price=Decimal("20")
    )
    order = SimpleNamespace(
        id=uuid.uuid4(),
        order_number="ORD-20240101-ABCDEF12",
        status="pending",
        subtotal=Decimal("20"),
        tax_amount=Decimal("1.6"),
        shipping_amount=Decimal("9.99"),
        total_amount=Decimal("31.59"),
        customer_notes=None,
        user_id=uuid.uuid4(),
        items=[item],
        created_at=now,
        updated_at=now,
    )
    data = OrderPublic.model_validate(order).model_dump(mode="json")
    assert (data["subtotal"], data["tax_amount"], data["shipping_amount"]) == (
        "20.00",
        "1.60",
        "9.99",
    )
    assert data["items"][0]["unit_price"] == "10.00"
    assert data["created_at"].startswith("2024-01-01T00:00:00")


def test_page_of_products_serializes_its_items() -> None:
    """Page[ProductPublic] dumps its items with the item schema's rules (money as strings)."""
    from types import SimpleNamespace

    row = SimpleNamespace(
        id=uuid.uuid4(),
        name="Lamp",
        slug="lamp",
        description=None,
        category="home",
        price=Decimal("5"),
        stock_quantity=1,
        reserved_quantity=0,
        is_active=True,
        created_at="2024-01-01T00:00:00Z",
        updated_at="2024-01-01T00:00:00Z",
    )
    page = Page[ProductPublic].build(
        [ProductPublic.model_validate(row)], total=1, page=1, per_page=20
    )
    data = page.model_dump(mode="json")
    assert data["items"][0]["price"] == "5.00"
    assert (data["total"], data["page"], data["per_page"], data["pages"]) == (1, 1, 20, 1)
