"""Common mistakes in the holes of notebook 02 (schemas)."""

from course_tools.holes.mistakes import Mistake

MISTAKES = [
    Mistake(
        "02.money",
        "the text left to Decimal()",
        """
        if isinstance(value, bool):
            raise ValueError("must be an amount, not true or false")
        if isinstance(value, float):
            if not math.isfinite(value):
                raise ValueError("must be a finite amount")
            return Decimal(repr(value))
        return value
        """,
        names="before Decimal() sees it",
    ),
    Mistake(
        "02.money",
        "a float made a Decimal directly",
        change=(
            (
                "    return Decimal(repr(value))  # the shortest text of the float: what the client wrote\n"
                "return value  # an int, or a Decimal from Python code: the constraints below still apply\n"
            ),
            ("    return Decimal(value)\nreturn value\n"),
        ),
        names="Decimal(repr(value))",
    ),
    Mistake(
        "02.money",
        "a float rounded to two places",
        change=(
            (
                "    return Decimal(repr(value))  # the shortest text of the float: what the client wrote\n"
                "return value  # an int, or a Decimal from Python code: the constraints below still apply\n"
            ),
            ("    return round(Decimal(value), 2)\nreturn value\n"),
        ),
        names="a float is never rounded",
    ),
    Mistake(
        "02.pages",
        "floor division",
        """
        return total // per_page
        """,
        names="drops the last, partly filled page",
    ),
    Mistake(
        "02.pages",
        "floor division plus one",
        """
        return total // per_page + 1
        """,
        names="a page too many",
    ),
    Mistake(
        "02.pages",
        "a ceiling through a float",
        """
        return math.ceil(total / per_page)
        """,
        names="goes through a float",
    ),
    Mistake(
        "02.no_duplicates",
        "whole items compared",
        """
        pairs = [(item.product_id, item.quantity) for item in items]
        if len(set(pairs)) != len(pairs):
            raise ValueError("each product may appear only once; raise its quantity instead")
        return items
        """,
        names="whatever the quantities",
    ),
    Mistake(
        "02.no_duplicates",
        "pydantic's ValidationError raised",
        """
        from pydantic import ValidationError

        product_ids = [item.product_id for item in items]
        if len(set(product_ids)) != len(product_ids):
            raise ValidationError("each product may appear only once; raise its quantity instead")
        return items
        """,
        names="raise ValueError(...)",
    ),
    Mistake(
        "02.no_duplicates",
        "nothing returned",
        change=(
            "return items\n",
            "",
        ),
        names="returns the list it checked",
    ),
]
