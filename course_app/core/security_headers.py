# Written by notebooks/10_production.ipynb: edit the notebook, not this file.
"""Security headers on every response, errors included."""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SECURITY_HEADERS = {
    # Browsers must not guess a type: a JSON answer is never run as a script or styles.
    "X-Content-Type-Options": "nosniff",
    # No page may show ours in a frame (clickjacking).
    "X-Frame-Options": "DENY",
    # Links followed from our pages tell the next site nothing of our URLs.
    "Referrer-Policy": "no-referrer",
}
ONE_YEAR_SECONDS = 365 * 24 * 60 * 60


class SecurityHeadersMiddleware:
    """Add the security headers to every response, and HSTS to those served over HTTPS.

    HSTS tells a browser to use only HTTPS for this host for `hsts_max_age` seconds, so it means
    something only on an HTTPS answer. Behind a proxy that ends TLS, the scheme is https only when
    uvicorn believes the proxy's X-Forwarded-Proto (`--forwarded-allow-ips`).
    """

    def __init__(self, app: ASGIApp, hsts_max_age: int = ONE_YEAR_SECONDS) -> None:
        self.app = app
        self.hsts = f"max-age={hsts_max_age}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if scope["scheme"] == "https":
                    headers.setdefault("Strict-Transport-Security", self.hsts)
            await send(message)

        await self.app(scope, receive, send_with_headers)
