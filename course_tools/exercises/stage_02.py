"""Checks for the exercises of notebook 02 (schemas)."""

from decimal import Decimal

from pydantic import BaseModel, ValidationError

from course_tools.exercises import Namespace, exercise, expect
from course_tools.holes.mistakes import Mistake

PRODUCT_ID = "0b7c3f52-8a34-4a0c-9bde-2f7e1c7f0a11"


def refused(schema: type[BaseModel], data: dict[str, object]) -> bool:
    try:
        schema.model_validate(data)
    except ValidationError:
        return True
    return False


@exercise("02.1")
def review_schema(ns: Namespace) -> None:
    schema = ns["build_review_schema"]()
    expect(hasattr(schema, "model_validate"), "Return the schema class (a pydantic model).")
    expect(
        not refused(schema, {"product_id": PRODUCT_ID, "rating": 3}),
        "comment is optional, so product_id and rating are enough. In pydantic v2, `| None` "
        "alone does not make a field optional: give it a default, `= None`.",
    )
    for rating in (1, 5):
        expect(
            not refused(schema, {"product_id": PRODUCT_ID, "rating": rating}),
            f"A rating of {rating} is allowed: both ends are included, so use ge=1 and le=5 "
            "(>= and <=), not gt and lt.",
        )
    review = schema.model_validate({"product_id": PRODUCT_ID, "rating": 5})
    expect(
        str(review.product_id) == PRODUCT_ID,
        "product_id and rating are enough; comment is optional.",
    )
    expect(getattr(review, "comment", "missing") is None, "comment should default to None.")
    expect(refused(schema, {"product_id": "not-a-uuid", "rating": 3}), "product_id must be a UUID.")
    for rating in (0, 6, -1):
        expect(
            refused(schema, {"product_id": PRODUCT_ID, "rating": rating}),
            f"A rating of {rating} should be refused: use Field(ge=1, le=5).",
        )
    expect(
        not refused(schema, {"product_id": PRODUCT_ID, "rating": 1, "comment": "x" * 1000}),
        "A comment of 1000 characters is allowed.",
    )
    expect(
        refused(schema, {"product_id": PRODUCT_ID, "rating": 4, "comment": "x" * 1001}),
        "A comment longer than 1000 characters should be refused.",
    )
    expect(
        refused(schema, {"product_id": PRODUCT_ID, "rating": 4, "user_id": PRODUCT_ID}),
        'Refuse unknown fields: model_config = ConfigDict(extra="forbid").',
    )


@exercise("02.2")
def price_filter(ns: Namespace) -> None:
    schema = ns["build_price_filter"]()
    expect(hasattr(schema, "model_validate"), "Return the schema class (a pydantic model).")
    try:
        empty = schema.model_validate({})
        alone = schema.model_validate({"max_price": "5.00"})
    except TypeError:
        expect(
            False,
            "Comparing with None raised TypeError: either price may be missing, so compare "
            "only when both are set (min_price is not None and max_price is not None).",
        )
    expect(alone.max_price == Decimal("5.00"), "Either price may be sent alone.")
    expect(
        (empty.min_price, empty.max_price) == (None, None),
        "Both prices are optional and default to None.",
    )
    both = schema.model_validate({"min_price": "10", "max_price": "20.50"})
    expect(
        isinstance(both.min_price, Decimal) and both.max_price == Decimal("20.50"),
        "Prices should be Decimals: use the Money type.",
    )
    expect(
        not refused(schema, {"min_price": "5.00", "max_price": "5.00"}),
        "Equal prices are fine: refuse only min_price > max_price.",
    )
    expect(not refused(schema, {"max_price": "5.00"}), "Either price may be sent alone.")
    expect(
        refused(schema, {"min_price": "20", "max_price": "10"}),
        "min_price greater than max_price should be refused in a model_validator.",
    )
    expect(refused(schema, {"min_price": "-1"}), "A negative price should be refused (Money).")
    expect(refused(schema, {"max_price": "1.234"}), "At most 2 decimal places (Money).")
    expect(refused(schema, {"max_price": "cheap"}), "A non-numeric price should be refused.")
    expect(
        refused(schema, {"min_price": "1", "sort": "price"}),
        "Unknown fields should be refused: base the schema on RequestModel.",
    )


MISTAKES = [
    Mistake(
        "02.1",
        "gt and lt",
        change=(
            "    rating: Annotated[int, Field(ge=1, le=5)]\n",
            "    rating: Annotated[int, Field(gt=1, lt=5)]\n",
        ),
        names="not gt and lt",
    ),
    Mistake(
        "02.1",
        "an optional field without a default",
        change=(
            "    comment: Annotated[str, StringConstraints(max_length=1000)] | None = None\n",
            "    comment: Annotated[str, StringConstraints(max_length=1000)] | None\n",
        ),
        names="`= None`",
    ),
    Mistake(
        "02.1",
        "unknown fields ignored",
        change=(
            ('    model_config = ConfigDict(extra="forbid")\n\n'),
            "",
        ),
        names='extra="forbid"',
    ),
    Mistake(
        "02.2",
        ">= instead of >",
        """
        class PriceFilter(RequestModel):
            min_price: Money | None = None
            max_price: Money | None = None

            @model_validator(mode="after")
            def min_not_above_max(self) -> Self:
                if (
                    self.min_price is not None
                    and self.max_price is not None
                    and self.min_price >= self.max_price
                ):
                    raise ValueError("min_price must be less than max_price")
                return self

        return PriceFilter
        """,
        names="equal prices are fine",
    ),
    Mistake(
        "02.2",
        "None compared",
        change=(
            (
                "        if (\n"
                "            self.min_price is not None\n"
                "            and self.max_price is not None\n"
                "            and self.min_price > self.max_price\n"
                "        ):\n"
            ),
            "        if self.min_price > self.max_price:\n",
        ),
        names="compare only when both are set",
    ),
    Mistake(
        "02.2",
        "float prices",
        change=(
            ("    min_price: Money | None = None\n    max_price: Money | None = None\n"),
            ("    min_price: float | None = None\n    max_price: float | None = None\n"),
        ),
        names="use the Money type",
    ),
    Mistake(
        "02.2",
        "BaseModel instead of RequestModel",
        change=(
            "class PriceFilter(RequestModel):\n",
            "class PriceFilter(BaseModel):\n",
        ),
        names="base the schema on RequestModel",
    ),
]
