"""The shipped mutants: one small, realistic bug each, taken from the lessons of notebooks 02-07.

`original` must occur exactly once in `module`; CI checks that every mutant still applies, so a
change to the service that moves the code fails loudly here instead of silently grading nothing.
"""

from __future__ import annotations

from course_tools.mutants import Mutant

NAIVE_RESERVATION = Mutant(
    slug="naive_reservation",
    name="naive reservation",
    module="course_app/repositories/products.py",
    original="""\
        updated = await execute_write(
            self.session,
            update(Product)
            .where(
                Product.id == product_id,
                Product.is_active.is_(True),
                Product.stock_quantity - Product.reserved_quantity >= quantity,
            )
            .values(reserved_quantity=Product.reserved_quantity + quantity)
            .execution_options(synchronize_session=False),
        )
        return updated == 1
""",
    replacement="""\
        # Read, decide in Python, write back: two requests can both see the last unit.
        product = await self.session.get(Product, product_id)
        if product is None or not product.is_active or product.available_quantity < quantity:
            return False
        product.reserved_quantity = product.reserved_quantity + quantity
        await self.session.flush()
        return True
""",
    lesson="notebook 04, section 5 (the failure mode: a lost update)",
    hint="Send 20 orders for one unit each at the same moment (asyncio.gather) on a product with "
    "10 in stock, on a database with real commits: exactly 10 may succeed, and the reserved "
    "quantity must equal the number of successes.",
)

TOKEN_NOT_VERIFIED = Mutant(
    slug="token_not_verified",
    name="jwt.decode without algorithms",
    module="course_app/core/security.py",
    original="""\
        claims = jwt.decode(
            token,
            secret_key,
            algorithms=[ALGORITHM],
            options={"require": ["exp", "sub", "iat"]},
        )
""",
    replacement="""\
        # PyJWT will not verify without `algorithms`, so verification was switched off instead.
        claims = jwt.decode(
            token,
            options={"verify_signature": False, "require": ["exp", "sub", "iat"]},
        )
""",
    lesson="notebook 05, section 2 (access tokens: signed, not secret)",
    hint="Parametrize one test over forged tokens (a tampered signature, another key, "
    '"alg: none", an expired token) and expect 401 from GET /users/me for each.',
)

FORBIDDEN_NOT_HIDDEN = Mutant(
    slug="forbidden_not_hidden",
    name="403 instead of 404",
    module="course_app/services/orders.py",
    original="""\
    if order is None or (order.user_id != user.id and user.role != UserRole.ADMIN):
        raise OrderNotFoundError("order not found")
""",
    replacement="""\
    if order is None:
        raise OrderNotFoundError("order not found")
    if order.user_id != user.id and user.role != UserRole.ADMIN:
        from fastapi import HTTPException

        raise HTTPException(status_code=403, detail="This order belongs to someone else")
""",
    lesson="notebook 07, section 6 (someone else's order is a 404)",
    hint="Let a second user GET (and cancel) the first user's order: the answer must be 404, "
    "exactly as for an id that does not exist.",
)

FLOAT_MONEY = Mutant(
    slug="float_money",
    name="float money",
    module="course_app/services/orders.py",
    original="""\
    subtotal = sum(line_totals, Decimal("0.00")).quantize(CENT)
    tax = (subtotal * TAX_RATE).quantize(CENT, rounding=ROUND_HALF_UP)
    shipping = Decimal("0.00") if subtotal >= FREE_SHIPPING_FROM else SHIPPING_FEE
""",
    replacement="""\
    amount = sum(float(line) for line in line_totals)  # money as a float
    subtotal = Decimal(str(round(amount, 2))).quantize(CENT)
    tax = (subtotal * TAX_RATE).quantize(CENT, rounding=ROUND_HALF_UP)
    shipping = Decimal("0.00") if amount >= float(FREE_SHIPPING_FROM) else SHIPPING_FEE
""",
    lesson="notebook 07, section 1 (money is not a float)",
    hint="Lines that add up to exactly 50.00 (1.91 + 32.33 + 15.76) ship free. Test the free "
    "shipping boundary with amounts a float cannot hold exactly, or state it as a property.",
)

HALF_EVEN_TAX = Mutant(
    slug="half_even_tax",
    name="half-even tax rounding",
    module="course_app/services/orders.py",
    original="""\
    tax = (subtotal * TAX_RATE).quantize(CENT, rounding=ROUND_HALF_UP)
""",
    replacement="""\
    tax = round(subtotal * TAX_RATE, 2)  # round() on a Decimal rounds half to even
""",
    lesson="notebook 07, section 1 (money is not a float)",
    hint="At 8% no whole-cent subtotal ever lands on half a cent, so no order shows this bug "
    "today. Pin the rule anyway: monkeypatch TAX_RATE (say to 0.05) and check that "
    "calculate_totals rounds 0.025 up to 0.03.",
)

CASE_SENSITIVE_EMAIL = Mutant(
    slug="case_sensitive_email",
    name="case-sensitive emails",
    module="course_app/normalize.py",
    original="""\
    return email.strip().lower()
""",
    replacement="""\
    return email.strip()
""",
    lesson="notebooks 03-05 (one account per address, whatever its case)",
    hint="Register Grace@Example.com; logging in as grace@example.com must work (200), and "
    'registering GRACE@EXAMPLE.COM again must be 409 "Email already registered".',
)

PAGES_ON_EMPTY = Mutant(
    slug="pages_on_empty",
    name="pages off by one when empty",
    module="course_app/schemas/common.py",
    original="""\
    return -(-total // per_page)  # ceil without floats
""",
    replacement="""\
    return max(1, -(-total // per_page))  # "there is always a first page"
""",
    lesson="notebook 04, section 2 (pagination and the page shape)",
    hint='An empty list is a page with "total": 0 and "pages": 0: GET /orders before placing '
    "any order, or GET /products on an empty shop.",
)

LIMITER_NEVER_RESETS = Mutant(
    slug="limiter_never_resets",
    name="rate limit never resets",
    module="course_app/core/rate_limit.py",
    original="""\
            if now - start < self.window_seconds:
""",
    replacement="""\
            if now - start < self.window_seconds * 1000:  # milliseconds, not seconds
""",
    lesson="notebook 05, section 3 (limiting login attempts)",
    hint="Give the app a limiter with a fake clock (app.state.resources.rate_limiter = "
    "InMemoryRateLimiter(..., clock=...)), use up the attempts, move the clock past the window: "
    "the next login must be allowed again.",
)

DOUBLE_RELEASE = Mutant(
    slug="double_release",
    name="double release",
    module="course_app/services/orders.py",
    original="""\
    OrderStatus.CANCELLED: set(),
""",
    replacement="""\
    OrderStatus.CANCELLED: {OrderStatus.CANCELLED},  # "cancelling twice is harmless"
""",
    lesson="notebook 07, section 4 (the life of an order)",
    hint="Cancel an order twice while another order holds stock of the same product: the second "
    "cancel is 409 and the other order's reservation is untouched. A state machine that checks "
    "the stock after every step finds it too.",
)

MUTANTS: tuple[Mutant, ...] = (
    NAIVE_RESERVATION,
    TOKEN_NOT_VERIFIED,
    FORBIDDEN_NOT_HIDDEN,
    FLOAT_MONEY,
    HALF_EVEN_TAX,
    CASE_SENSITIVE_EMAIL,
    PAGES_ON_EMPTY,
    LIMITER_NEVER_RESETS,
    DOUBLE_RELEASE,
)


def by_slug(slug: str) -> Mutant:
    for mutant in MUTANTS:
        if mutant.slug == slug:
            return mutant
    raise LookupError(f"no mutant is called {slug!r}")
