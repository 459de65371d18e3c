"""Common mistakes in the holes of notebook 10 (production)."""

from course_tools.holes.mistakes import Mistake

MISTAKES = [
    Mistake(
        "10.readiness",
        "Redis required even when not configured",
        """
        database, migrations = await check_database(session)
        redis = await check_redis(resources.redis)
        ok = database == "ok" and migrations == "ok" and redis == "ok"
        body = Readiness(
            status="ok" if ok else "error", database=database, redis=redis, migrations=migrations
        )
        return JSONResponse(body.model_dump(), status_code=200 if ok else 503)
        """,
        names='Redis "not configured" is not a failure',
    ),
    Mistake(
        "10.readiness",
        "the migrations left out of the verdict",
        """
        database, migrations = await check_database(session)
        redis = await check_redis(resources.redis)
        ok = database == "ok" and redis != "unavailable"
        body = Readiness(
            status="ok" if ok else "error", database=database, redis=redis, migrations=migrations
        )
        return JSONResponse(body.model_dump(), status_code=200 if ok else 503)
        """,
        names="not at head",
    ),
    Mistake(
        "10.readiness",
        "an error in the body, but 200",
        """
        database, migrations = await check_database(session)
        redis = await check_redis(resources.redis)
        ok = database == "ok" and migrations == "ok" and redis != "unavailable"
        body = Readiness(
            status="ok" if ok else "error", database=database, redis=redis, migrations=migrations
        )
        return JSONResponse(body.model_dump())
        """,
        names='not 200 with "error" in the body',
    ),
    Mistake(
        "10.readiness",
        "a Redis that is down ignored",
        """
        database, migrations = await check_database(session)
        redis = await check_redis(resources.redis)
        ok = database == "ok" and migrations == "ok"
        body = Readiness(
            status="ok" if ok else "error", database=database, redis=redis, migrations=migrations
        )
        return JSONResponse(body.model_dump(), status_code=200 if ok else 503)
        """,
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
        """
        async with session_factory() as session:
            user = await UserRepository(session).get_by_email(email)
            if user is None:
                user = User(
                    email=email,
                    hashed_password=await hash_password(password.get_secret_value()),
                    full_name="Administrator",
                    is_verified=True,
                )
                session.add(user)
            user.role = UserRole.ADMIN
            user.status = UserStatus.ACTIVE
        """,
        names="committed",
    ),
    Mistake(
        "10.security_headers",
        "HSTS over plain HTTP",
        """
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            for name, value in SECURITY_HEADERS.items():
                headers.setdefault(name, value)
            headers.setdefault("Strict-Transport-Security", self.hsts)
        """,
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
