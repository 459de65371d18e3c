"""Common mistakes in the holes of notebook 06 (the app)."""

from course_tools.holes.mistakes import Mistake

MISTAKES = [
    Mistake(
        "06.validation_errors",
        "FastAPI's errors sent as they are",
        """
        return JSONResponse(
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT, content={"detail": exc.errors()}
        )
        """,
        names="never the input",
    ),
    Mistake(
        "06.validation_errors",
        "FastAPI's own handler copied",
        """
        from fastapi.encoders import jsonable_encoder

        return JSONResponse(
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
            content={"detail": jsonable_encoder(exc.errors())},
        )
        """,
        names="never the input",
    ),
    Mistake(
        "06.validation_errors",
        "everything but the input",
        change=(
            (
                "    {\n"
                '        "loc": [_printable(part) for part in error["loc"]],\n'
                '        "msg": _printable(error["msg"]),\n'
                '        "type": error["type"],\n'
                "    }\n"
            ),
            '    {key: value for key, value in error.items() if key != "input"}\n',
        ),
        names="only loc, msg and type",
    ),
    Mistake(
        "06.domain_errors",
        "a dict from class to status",
        """
        from course_app.exceptions import InvalidValueError, NotFoundError

        statuses = {DomainError: 409, NotFoundError: 404, InvalidValueError: 422}
        return JSONResponse(status_code=statuses[type(exc)], content={"detail": str(exc)})
        """,
        names="not from a dict of classes",
    ),
    Mistake(
        "06.domain_errors",
        "one status for every domain error",
        """
        return JSONResponse(status_code=status.HTTP_409_CONFLICT, content={"detail": str(exc)})
        """,
        names="one fixed status",
    ),
    Mistake(
        "06.domain_errors",
        "the message under another key",
        """
        assert isinstance(exc, DomainError)
        return JSONResponse(status_code=exc.status_code, content={"message": str(exc)})
        """,
        names='{"detail": its message}',
    ),
    Mistake(
        "06.first_admin",
        "a new user on every start",
        """
        async with session_factory() as session, transaction(session):
            password = settings.first_admin_password.get_secret_value()
            user = User(
                email=settings.first_admin_email,
                hashed_password=await hash_password(password),
                full_name="Administrator",
                is_verified=True,
                role=UserRole.ADMIN,
            )
            session.add(user)
        """,
        names="look the email up first",
    ),
    Mistake(
        "06.first_admin",
        "an existing user is not promoted",
        """
        async with session_factory() as session, transaction(session):
            users = UserRepository(session)
            if await users.get_by_email(settings.first_admin_email) is None:
                password = settings.first_admin_password.get_secret_value()
                user = User(
                    email=settings.first_admin_email,
                    hashed_password=await hash_password(password),
                    full_name="Administrator",
                    is_verified=True,
                    role=UserRole.ADMIN,
                )
                session.add(user)
        """,
        names="not only on a new one",
    ),
    Mistake(
        "06.first_admin",
        "the password stored as it is",
        change=(
            "            hashed_password=await hash_password(password),\n",
            "            hashed_password=password,\n",
        ),
        names="never the password itself",
    ),
    Mistake(
        "06.first_admin",
        "no transaction, nothing committed",
        change=(
            "async with session_factory() as session, transaction(session):\n",
            "async with session_factory() as session:\n",
        ),
        names="a transaction that commits",
    ),
]
