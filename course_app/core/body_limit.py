# Written by notebooks/06_app.ipynb: edit the notebook, not this file.
"""A cap on the size of request bodies, enforced before anything reads them."""

from fastapi import HTTPException, status
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOO_LARGE = "Request body too large"


class BodySizeLimitMiddleware:
    """Answer 413 to a body larger than `max_bytes`, declared or streamed.

    A declared Content-Length is checked at once. A body sent in chunks (no Content-Length) is
    counted as it arrives; the chunk that crosses the limit raises a 413 HTTPException inside
    the app, which FastAPI answers like any other HTTPException.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._declared_length(scope) > self.max_bytes:
            response = JSONResponse(
                {"detail": TOO_LARGE}, status_code=status.HTTP_413_CONTENT_TOO_LARGE
            )
            await response(scope, receive, send)
            return

        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, detail=TOO_LARGE)
            return message

        await self.app(scope, counting_receive, send)

    @staticmethod
    def _declared_length(scope: Scope) -> int:
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    return int(value)
                except ValueError:
                    return 0  # the server refuses a malformed length before we see it
        return 0
