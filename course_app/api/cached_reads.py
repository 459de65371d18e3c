# Written by notebooks/10_production.ipynb: edit the notebook, not this file.
"""The catalogue's cached reads, answered before routing."""

from collections.abc import Sequence

from fastapi.routing import APIRoute
from starlette.datastructures import Headers
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from course_app.api.deps import get_session
from course_app.api.routes import products
from course_app.core.cache import CachedResponse, cached_answer, catalogue_key
from course_app.state import AppResources

# The reads of notebook 09 that store their answers in the catalogue cache.
CATALOGUE_READS = tuple(
    route
    for route in products.router.routes
    if isinstance(route, APIRoute)
    and route.endpoint in (products.list_products, products.read_product)
)


class CachedReadsMiddleware:
    """Answers a GET of a cached read from the catalogue cache; anything else goes on as usual."""

    def __init__(self, app: ASGIApp, routes: Sequence[APIRoute] = CATALOGUE_READS) -> None:
        self.app = app
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route_scope = self._cached_read(scope)
        if route_scope is not None:
            cached = await self._lookup(scope)
            if cached is not None:
                scope.update(route_scope)  # so the access log and the metrics name the route
                answer = cached_answer(cached, Headers(scope=scope).get("if-none-match"))
                await answer(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _cached_read(self, scope: Scope) -> Scope | None:
        """What routing would add to the scope, if this request is a cached read; else None."""
        if scope["type"] != "http" or scope["method"] != "GET":
            return None
        for route in self.routes:
            match, route_scope = route.matches(scope)
            if match is Match.FULL:
                return route_scope
        return None

    async def _lookup(self, scope: Scope) -> CachedResponse | None:
        app = scope["app"]
        # Notebook 09's guard: an overridden session may change products without invalidating
        # anything, so then the routes read the database, and this must not answer for them.
        if get_session in app.dependency_overrides:
            return None
        resources: AppResources = app.state.resources
        return await resources.catalogue_cache.get(catalogue_key(scope))
