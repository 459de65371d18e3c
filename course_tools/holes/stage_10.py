"""Common mistakes in the holes of notebook 10 (production)."""

from course_tools.holes.mistakes import Mistake

MISTAKES = [
    Mistake(
        "10.readiness",
        "Redis required even when not configured",
        change=(
            'ok = database == "ok" and migrations == "ok" and redis != "unavailable"\n',
            'ok = database == "ok" and migrations == "ok" and redis == "ok"\n',
        ),
        names='Redis "not configured" is not a failure',
    ),
    Mistake(
        "10.readiness",
        "the migrations left out of the verdict",
        change=(
            'ok = database == "ok" and migrations == "ok" and redis != "unavailable"\n',
            'ok = database == "ok" and redis != "unavailable"\n',
        ),
        names="not at head",
    ),
    Mistake(
        "10.readiness",
        "an error in the body, but 200",
        change=(
            "return JSONResponse(body.model_dump(), status_code=200 if ok else 503)\n",
            "return JSONResponse(body.model_dump())\n",
        ),
        names='not 200 with "error" in the body',
    ),
    Mistake(
        "10.readiness",
        "a Redis that is down ignored",
        change=(
            'ok = database == "ok" and migrations == "ok" and redis != "unavailable"\n',
            'ok = database == "ok" and migrations == "ok"\n',
        ),
        names="a configured Redis that does not answer",
    ),
    Mistake(
        "10.first_admin",
        "inserted on every run",
        """
        async with session_factory() as session, transaction(session):
            session.add(
                User(
                    email=email,
                    hashed_password=await hash_password(password.get_secret_value()),
                    full_name="Administrator",
                    is_verified=True,
                    role=UserRole.ADMIN,
                    status=UserStatus.ACTIVE,
                )
            )
        """,
        names="found by e-mail, not inserted again",
    ),
    Mistake(
        "10.first_admin",
        "an existing account left as it was",
        """
        async with session_factory() as session, transaction(session):
            if await UserRepository(session).get_by_email(email) is None:
                user = User(
                    email=email,
                    hashed_password=await hash_password(password.get_secret_value()),
                    full_name="Administrator",
                    is_verified=True,
                    role=UserRole.ADMIN,
                )
                session.add(user)
        """,
        names="promotes that account",
    ),
    Mistake(
        "10.first_admin",
        "never committed",
        change=(
            "async with session_factory() as session, transaction(session):\n",
            "async with session_factory() as session:\n",
        ),
        names="committed",
    ),
    Mistake(
        "10.security_headers",
        "HSTS over plain HTTP",
        change=(
            (
                '    if scope["scheme"] == "https":\n'
                '        headers.setdefault("Strict-Transport-Security", self.hsts)\n'
            ),
            '    headers.setdefault("Strict-Transport-Security", self.hsts)\n',
        ),
        names="over plain HTTP",
    ),
    Mistake(
        "10.security_headers",
        "a route's own value overwritten",
        """
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            for name, value in SECURITY_HEADERS.items():
                headers[name] = value
            if scope["scheme"] == "https":
                headers["Strict-Transport-Security"] = self.hsts
        """,
        names="never overrides what a route chose",
    ),
]
