"""Checks for the exercises of notebook 05 (auth)."""

import base64
import inspect
import json
import threading
import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from course_tools.exercises import Namespace, exercise, expect
from course_tools.holes.mistakes import Mistake

SECRET = "an-exercise-secret-long-enough-for-every-hmac-algorithm-0123456789"


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@exercise("05.1")
def user_id_from_token(ns: Namespace) -> None:
    import jwt

    decode = ns["user_id_from_token"]
    user_id = uuid.uuid4()
    now = datetime.now(UTC)
    claims = {"sub": str(user_id), "iat": now, "exp": now + timedelta(minutes=5)}
    good = jwt.encode(claims, SECRET, algorithm="HS256")
    expect(decode(good, SECRET) == user_id, "A valid token should give its sub as a uuid.UUID.")
    header, payload, signature = good.split(".")
    flipped = signature[:5] + ("A" if signature[5] != "A" else "B") + signature[6:]
    refused = {  # what should be refused: (the token, why)
        "a tampered signature": (f"{header}.{payload}.{flipped}", "verify the signature"),
        'an "alg: none" token': (
            f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{payload}.",
            'name the algorithm: algorithms=["HS256"]',
        ),
        "an expired token": (
            jwt.encode({**claims, "exp": now - timedelta(minutes=1)}, SECRET, algorithm="HS256"),
            "let jwt.decode check exp",
        ),
        "a token signed with another key": (
            jwt.encode(claims, SECRET + "-other", "HS256"),
            "verify the signature with your secret",
        ),
        "garbage": ("not-a-jwt", "catch jwt.PyJWTError"),
        "a token whose sub is not a UUID": (
            jwt.encode({**claims, "sub": "admin"}, SECRET, "HS256"),
            "uuid.UUID(sub) raises ValueError: catch it",
        ),
        "a token without exp": (
            jwt.encode({"sub": str(user_id)}, SECRET, algorithm="HS256"),
            'jwt.decode accepts it unless told: options={"require": ["exp", "sub"]}',
        ),
        "an HS512 token": (
            jwt.encode(claims, SECRET, algorithm="HS512"),
            'accept HS256 alone: algorithms=["HS256"]',
        ),
    }
    for name, (token, why) in refused.items():
        try:
            answer = decode(token, SECRET)
        except Exception as error:
            expect(False, f"For {name}, return None instead of raising {type(error).__name__}.")
        expect(answer is None, f"{name[0].upper()}{name[1:]} should give None: {why}.")


@exercise("05.2")
async def check_password(ns: Namespace) -> None:
    from pwdlib import PasswordHash

    check = ns["check_password"]
    hashed = PasswordHash.recommended().hash("Str0ng!Passw0rd")
    loop_thread = threading.get_ident()
    verify_threads: list[int] = []
    real_verify = PasswordHash.verify

    def spy(self: PasswordHash, password: str | bytes, hash: str | bytes) -> bool:
        verify_threads.append(threading.get_ident())
        return real_verify(self, password, hash)

    PasswordHash.verify = spy  # type: ignore[method-assign]
    try:
        right = await check("Str0ng!Passw0rd", hashed)
        wrong = await check("str0ng!Passw0rd", hashed)
    except TypeError:
        expect(
            loop_thread not in verify_threads,
            "hasher.verify(password, hashed) ran on the event loop before the worker thread "
            "was asked: pass the function and its arguments separately, "
            "run_sync(hasher.verify, password, hashed).",
        )
        raise
    finally:
        PasswordHash.verify = real_verify  # type: ignore[method-assign]
    for answer in (right, wrong):
        if inspect.iscoroutine(answer):
            answer.close()  # never awaited: close it, or Python warns
    expect(
        not inspect.isawaitable(right),
        "check_password returned a coroutine: await to_thread.run_sync(...) to get its bool.",
    )
    expect(
        verify_threads,
        "Verify with pwdlib: hasher.verify(password, hashed). Hashing the password again gives "
        "a new salt, so comparing hashes never works.",
    )
    expect(right is True, "The right password should give True.")
    expect(wrong is False, "A wrong password should give False.")
    expect(
        loop_thread not in verify_threads,
        "The verify ran on the event loop, blocking it: call it through "
        "anyio.to_thread.run_sync(hasher.verify, password, hashed) and await it.",
    )


@exercise("05.3")
async def require_role(ns: Namespace) -> None:
    import httpx
    from fastapi import Depends, FastAPI, Request

    from course_app.api.deps import get_current_user
    from course_app.enums import UserRole

    factory = ns["require_role"]
    app = FastAPI()

    @app.get("/moderate")
    async def moderate(
        user: Any = Depends(factory(UserRole.ADMIN, UserRole.MODERATOR)),  # noqa: B008
    ) -> dict[str, str]:
        return {"role": str(getattr(user, "role", user))}

    @app.get("/members")
    async def members(user: Any = Depends(factory(UserRole.USER))) -> dict[str, str]:  # noqa: B008
        return {"role": str(getattr(user, "role", user))}

    def fake_current_user(request: Request) -> Any:
        return SimpleNamespace(role=UserRole(request.headers["x-role"]), email="x@example.com")

    app.dependency_overrides[get_current_user] = fake_current_user
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        for role, path, expected in [
            ("admin", "/moderate", 200),
            ("moderator", "/moderate", 200),
            ("user", "/moderate", 403),
            ("user", "/members", 200),
            ("admin", "/members", 403),
        ]:
            response = await client.get(path, headers={"x-role": role})
            expect(
                not (expected == 403 and response.status_code == 401),
                f'A {role} on a route for {path[1:]} got 401, which means "who are you?". '
                "The user is known but lacks the role: raise 403 Forbidden.",
            )
            expect(
                response.status_code == expected,
                f"A {role} on a route for {path[1:]} got {response.status_code}, "
                f"expected {expected}. Compare user.role with the roles given to require_role.",
            )
            if expected == 200:
                expect(
                    response.json() == {"role": role},
                    "Return the user from the dependency, so the route receives it: the route "
                    f"got {response.json()['role']} instead.",
                )


MISTAKES = [
    Mistake(
        "05.1",
        "exp not required",
        change=(
            (
                "    claims = jwt.decode(\n"
                '        token, secret, algorithms=["HS256"], options={"require": ["exp", "sub"]}\n'
                "    )\n"
            ),
            '    claims = jwt.decode(token, secret, algorithms=["HS256"])\n',
        ),
        names="require",
    ),
    Mistake(
        "05.1",
        "sub returned as a string",
        change=(
            (
                '    return uuid.UUID(claims["sub"])\n'
                "except (jwt.PyJWTError, ValueError, TypeError):\n"
            ),
            ('    return claims["sub"]\nexcept jwt.PyJWTError:\n'),
        ),
        names="uuid.UUID",
    ),
    Mistake(
        "05.1",
        "only jwt errors caught",
        """
        try:
            claims = jwt.decode(
                token, secret, algorithms=["HS256"], options={"require": ["exp", "sub"]}
            )
        except jwt.PyJWTError:
            return None
        return uuid.UUID(claims["sub"])
        """,
        names="instead of raising ValueError",
    ),
    Mistake(
        "05.1",
        "every HMAC algorithm",
        change=(
            '        token, secret, algorithms=["HS256"], options={"require": ["exp", "sub"]}\n',
            (
                "        token,\n"
                "        secret,\n"
                '        algorithms=["HS256", "HS384", "HS512"],\n'
                '        options={"require": ["exp", "sub"]},\n'
            ),
        ),
        names="accept HS256 alone",
    ),
    Mistake(
        "05.2",
        "verify on the event loop",
        "return hasher.verify(password, hashed)",
        names="blocking it",
    ),
    Mistake(
        "05.2",
        "not awaited",
        "return to_thread.run_sync(hasher.verify, password, hashed)",
        names="returned a coroutine",
    ),
    Mistake(
        "05.2",
        "called before it is passed",
        "return await to_thread.run_sync(hasher.verify(password, hashed))",
        names="pass the function and its arguments separately",
    ),
    Mistake(
        "05.3",
        "401 instead of 403",
        change=(
            '        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="Not allowed")\n',
            '        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="No")\n',
        ),
        names="403 Forbidden",
    ),
    Mistake(
        "05.3",
        "the user not returned",
        """
        async def dependency(user: CurrentUser) -> None:
            if user.role not in roles:
                raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="Not allowed")

        return dependency
        """,
        names="return the user from the dependency",
    ),
]
