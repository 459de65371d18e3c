"""Common mistakes in the holes of notebook 12 (GraphQL)."""

from course_tools.holes.mistakes import Mistake

MISTAKES = [
    Mistake(
        "12.load_products",
        "one query per key",
        """
        products = ProductBatchRepository(session)
        return [await products.get(key) for key in keys]
        """,
        names="one query per item",
    ),
    Mistake(
        "12.load_products",
        "the rows in the database's order",
        """
        found = await ProductBatchRepository(session).get_many(keys)
        return list(found.values())
        """,
        names="order of the keys",
    ),
    Mistake(
        "12.context_user",
        "a bad token taken for an anonymous caller",
        """
        from fastapi import HTTPException

        try:
            return await get_current_user(token, session, settings)
        except HTTPException:
            return None
        """,
        names="never quietly treated as anonymous",
    ),
    Mistake(
        "12.context_user",
        "the token checked, the user's status not",
        """
        from course_app.api.deps import unauthorized
        from course_app.core.security import InvalidTokenError, decode_access_token

        if not token:
            return None
        try:
            user_id = decode_access_token(token, settings.secret_key.get_secret_value())
        except InvalidTokenError:
            raise unauthorized() from None
        return await session.get(User, user_id)
        """,
        names="the user's status is",
    ),
    Mistake(
        "12.context_user",
        "a token required of everyone",
        """
        return await get_current_user(token, session, settings)
        """,
        names="no token means an anonymous caller",
    ),
]
