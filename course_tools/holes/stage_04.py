"""Common mistakes in the holes of notebook 04 (repositories)."""

from course_tools.holes.mistakes import Mistake

MISTAKES = [
    Mistake(
        "04.reserve",
        "a read, then a write",
        """
        product = await self.session.get(Product, product_id)
        if product is None or not product.is_active:
            return False
        if product.stock_quantity - product.reserved_quantity < quantity:
            return False
        product.reserved_quantity += quantity
        await self.session.flush()
        return True
        """,
        names="a read, then a write",
    ),
    Mistake(
        "04.reserve",
        "inactive products reserved",
        change=(
            "        Product.is_active.is_(True),\n",
            "",
        ),
        names="no longer active",
    ),
    Mistake(
        "04.paginate",
        "page 1 skips the first page",
        change=(
            (
                "offset = (page - 1) * per_page\n"
                "result = await self.session.scalars(statement.limit(per_page).offset(offset))\n"
            ),
            "result = await self.session.scalars(statement.limit(per_page).offset(page * per_page))\n",
        ),
        names="page 1 starts at the first row",
    ),
    Mistake(
        "04.paginate",
        "the total of one page",
        """
        offset = (page - 1) * per_page
        items = (await self.session.scalars(statement.limit(per_page).offset(offset))).all()
        return items, len(items)
        """,
        names="not just the page",
    ),
    Mistake(
        "04.paginate",
        "the whole table counted",
        change=(
            (
                "count_statement = select(func.count()).select_from(statement.order_by(None).subquery())\n"
                "total = await self.session.scalar(count_statement) or 0\n"
            ),
            "total = await self.session.scalar(select(func.count()).select_from(self.model)) or 0\n",
        ),
        names="not the whole table",
    ),
    Mistake(
        "04.search_filters",
        "prices excluded at the bounds",
        """
        if category is not None:
            statement = statement.where(Product.category == category)
        if min_price is not None:
            statement = statement.where(Product.price > min_price)
        if max_price is not None:
            statement = statement.where(Product.price < max_price)
        """,
        names="both prices included",
    ),
    Mistake(
        "04.search_filters",
        "each where() thrown away",
        """
        if category is not None:
            statement.where(Product.category == category)
        if min_price is not None:
            statement.where(Product.price >= min_price)
        if max_price is not None:
            statement.where(Product.price <= max_price)
        """,
        names="returns a new statement",
    ),
]
