"""Checks for the exercises of notebook 05 (auth)."""

import base64
import json
import threading
import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from course_tools.exercises import Namespace, exercise, expect

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
    refused = {
        "a tampered signature": f"{header}.{payload}.{flipped}",
        'an "alg: none" token': f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{payload}.",
        "an expired token": jwt.encode(
            {**claims, "exp": now - timedelta(minutes=1)}, SECRET, algorithm="HS256"
        ),
        "a token signed with another key": jwt.encode(claims, SECRET + "-other", "HS256"),
        "garbage": "not-a-jwt",
        "a token whose sub is not a UUID": jwt.encode({**claims, "sub": "admin"}, SECRET, "HS256"),
        "a token without exp": jwt.encode({"sub": str(user_id)}, SECRET, algorithm="HS256"),
        "an HS512 token": jwt.encode(claims, SECRET, algorithm="HS512"),
    }
    for name, token in refused.items():
        try:
            answer = decode(token, SECRET)
        except Exception as error:
            expect(False, f"For {name}, return None instead of raising {type(error).__name__}.")
        expect(answer is None, f"{name[0].upper()}{name[1:]} should give None.")


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
    finally:
        PasswordHash.verify = real_verify  # type: ignore[method-assign]
    expect(right is True, "The right password should give True.")
    expect(wrong is False, "A wrong password should give False.")
    expect(verify_threads, "Verify with pwdlib: hasher.verify(password, hashed).")
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
        return {"role": str(user.role)}

    @app.get("/members")
    async def members(user: Any = Depends(factory(UserRole.USER))) -> dict[str, str]:  # noqa: B008
        return {"role": str(user.role)}

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
                response.status_code == expected,
                f"A {role} on a route for {path[1:]} got {response.status_code}, "
                f"expected {expected}. Compare user.role with the roles given to require_role.",
            )
            if expected == 200:
                expect(
                    response.json() == {"role": role},
                    "Return the user from the dependency, so the route receives it.",
                )
