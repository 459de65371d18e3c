# Written by notebooks/09_performance.ipynb: edit the notebook, not this file.
"""The product catalogue: public reads (cached, with ETags), admin writes."""

import uuid
from typing import Annotated, Any, Self

from fastapi import APIRouter, Header, HTTPException, Query, Request, Response, status
from pydantic import BaseModel, StringConstraints, model_validator
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from course_app.api.deps import (
    AdminUser,
    PageNumber,
    PerPage,
    SessionDep,
    failures,
    get_resources,
)
from course_app.core.cache import (
    CachedResponse,
    CatalogueCache,
    NoCatalogueCache,
    cached_answer,
    catalogue_key,
)
from course_app.core.catalogue_changes import CatalogueSession
from course_app.db import transaction
from course_app.enums import ProductCategory
from course_app.models import Product
from course_app.repositories.products import ProductRepository
from course_app.schemas.common import Page, PriceFilter
from course_app.schemas.products import ProductCreate, ProductPublic, ProductUpdate

router = APIRouter(prefix="/products", tags=["products"])

NOT_FOUND = "Product not found"
SLUG_ATTEMPTS = 3


def _not_found() -> HTTPException:
    return HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=NOT_FOUND)


class ProductFilters(BaseModel):
    """The query of `GET /products`. A model, so a rule across two parameters is a validator."""

    q: Annotated[str, StringConstraints(max_length=200)] | None = None
    category: ProductCategory | None = None
    min_price: PriceFilter | None = None
    max_price: PriceFilter | None = None

    @model_validator(mode="after")
    def price_range_is_ordered(self) -> Self:
        if (
            self.min_price is not None
            and self.max_price is not None
            and self.min_price > self.max_price
        ):
            raise ValueError("min_price must not be greater than max_price")
        return self


IfNoneMatch = Annotated[str | None, Header()]
CACHED_READ: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not Modified: the `If-None-Match` ETag is still current"}
}


def catalogue_cache(request: Request, session: AsyncSession) -> CatalogueCache:
    """The app's cache, if this request's session reports product writes to it.

    A session of another kind (a test that overrides `get_session`, say) would change products
    without invalidating anything, and cached reads would go stale: then nothing is cached.
    """
    if not isinstance(session, CatalogueSession):
        return NoCatalogueCache()
    return get_resources(request).catalogue_cache


@router.get("", response_model=Page[ProductPublic], responses={**failures(422), **CACHED_READ})
async def list_products(
    request: Request,
    session: SessionDep,
    filters: Annotated[ProductFilters, Query()],
    page: PageNumber = 1,
    per_page: PerPage = 20,
    if_none_match: IfNoneMatch = None,
) -> Response:
    cache = catalogue_cache(request, session)
    key = catalogue_key(request.scope)
    cached = await cache.get(key)
    if cached is None:
        generation = await cache.generation()  # before the query, never after
        products, total = await ProductRepository(session).search(
            **filters.model_dump(), page=page, per_page=per_page
        )
        body = Page[ProductPublic].build(products, total, page, per_page).model_dump_json()
        cached = CachedResponse.of(body.encode())
        await cache.set(key, cached, generation)
    return cached_answer(cached, if_none_match)


# Declared before "/{product_id}" so the more specific path is matched first.
@router.get("/by-slug/{slug}", response_model=ProductPublic, responses=failures(404))
async def read_product_by_slug(slug: str, session: SessionDep) -> Product:
    product = await ProductRepository(session).get_active_by_slug(slug)
    if product is None:
        raise _not_found()
    return product


@router.get(
    "/{product_id}",
    response_model=ProductPublic,
    responses={**failures(404, 422), **CACHED_READ},
)
async def read_product(
    request: Request,
    product_id: uuid.UUID,
    session: SessionDep,
    if_none_match: IfNoneMatch = None,
) -> Response:
    cache = catalogue_cache(request, session)
    key = catalogue_key(request.scope)
    cached = await cache.get(key)
    if cached is None:
        generation = await cache.generation()
        product = await ProductRepository(session).get_active(product_id)
        if product is None:
            raise _not_found()
        body = ProductPublic.model_validate(product).model_dump_json()
        cached = CachedResponse.of(body.encode())
        await cache.set(key, cached, generation)
    return cached_answer(cached, if_none_match)


@router.post(
    "",
    response_model=ProductPublic,
    status_code=status.HTTP_201_CREATED,
    responses=failures(400, 401, 403, 413, 422),
)
async def create_product(data: ProductCreate, _admin: AdminUser, session: SessionDep) -> Product:
    products = ProductRepository(session)
    for _ in range(SLUG_ATTEMPTS):
        try:
            async with transaction(session):
                slug = await products.unique_slug(data.name)
                return await products.add(Product(**data.model_dump(), slug=slug))
        except IntegrityError:
            # A concurrent request took the same slug between our check and our insert:
            # start again; now the slug is taken, so a random suffix is added.
            continue
    raise HTTPException(status_code=status.HTTP_409_CONFLICT, detail="Could not find a free slug")


def _refuse_stock_below_reserved(changes: dict[str, Any], product: Product) -> None:
    new_stock = changes.get("stock_quantity")
    if new_stock is not None and new_stock < product.reserved_quantity:
        raise HTTPException(
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
            detail=f"stock_quantity cannot be below the reserved quantity "
            f"({product.reserved_quantity})",
        )


@router.patch(
    "/{product_id}", response_model=ProductPublic, responses=failures(400, 401, 403, 404, 413, 422)
)
async def update_product(
    product_id: uuid.UUID, data: ProductUpdate, _admin: AdminUser, session: SessionDep
) -> Product:
    # Admins may still edit (and so re-activate) an inactive product.
    products = ProductRepository(session)
    product = await products.get(product_id)
    if product is None:
        raise _not_found()
    changes = data.model_dump(exclude_unset=True)
    _refuse_stock_below_reserved(changes, product)
    try:
        async with transaction(session):
            return await products.update(product, changes)
    except IntegrityError:
        # An order may have reserved more units since the check above. Then the database's own
        # check (reserved within stock) refused the write, and the answer is the same 422.
        await session.refresh(product)
        _refuse_stock_below_reserved(changes, product)
        raise


@router.delete(
    "/{product_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=failures(401, 403, 404, 422),
)
async def delete_product(product_id: uuid.UUID, _admin: AdminUser, session: SessionDep) -> None:
    # A soft delete: past orders still point at the product and keep their items.
    product = await ProductRepository(session).get_active(product_id)
    if product is None:
        raise _not_found()
    async with transaction(session):
        product.is_active = False
