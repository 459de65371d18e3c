# Written by notebooks/06_app.ipynb: edit the notebook, not this file.
"""The product catalogue: public reads, admin writes."""

import uuid
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import IntegrityError

from course_app.api.deps import AdminUser, PageNumber, PerPage, SessionDep, failures
from course_app.enums import ProductCategory
from course_app.models import Product
from course_app.repositories.products import ProductRepository
from course_app.schemas.common import Page
from course_app.schemas.products import ProductCreate, ProductPublic, ProductUpdate

router = APIRouter(prefix="/products", tags=["products"])

NOT_FOUND = "Product not found"
SLUG_ATTEMPTS = 3


def _not_found() -> HTTPException:
    return HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=NOT_FOUND)


@router.get("", response_model=Page[ProductPublic], responses=failures(422))
async def list_products(
    session: SessionDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
    category: ProductCategory | None = None,
    min_price: Annotated[Decimal | None, Query(ge=0, max_digits=12)] = None,
    max_price: Annotated[Decimal | None, Query(ge=0, max_digits=12)] = None,
    page: PageNumber = 1,
    per_page: PerPage = 20,
) -> Page[ProductPublic]:
    if min_price is not None and max_price is not None and min_price > max_price:
        raise RequestValidationError(
            [
                {
                    "type": "value_error",
                    "loc": ("query", "min_price"),
                    "msg": "min_price must not be greater than max_price",
                    "input": str(min_price),
                }
            ]
        )
    products, total = await ProductRepository(session).search(
        q=q,
        category=category,
        min_price=min_price,
        max_price=max_price,
        page=page,
        per_page=per_page,
    )
    items = [ProductPublic.model_validate(product) for product in products]
    return Page[ProductPublic].build(items, total, page, per_page)


# Declared before "/{product_id}" so the more specific path is matched first.
@router.get("/by-slug/{slug}", response_model=ProductPublic, responses=failures(404))
async def read_product_by_slug(slug: str, session: SessionDep) -> Product:
    product = await ProductRepository(session).get_active_by_slug(slug)
    if product is None:
        raise _not_found()
    return product


@router.get("/{product_id}", response_model=ProductPublic, responses=failures(404, 422))
async def read_product(product_id: uuid.UUID, session: SessionDep) -> Product:
    product = await ProductRepository(session).get_active(product_id)
    if product is None:
        raise _not_found()
    return product


@router.post(
    "",
    response_model=ProductPublic,
    status_code=status.HTTP_201_CREATED,
    responses=failures(401, 403, 413, 422),
)
async def create_product(data: ProductCreate, _admin: AdminUser, session: SessionDep) -> Product:
    products = ProductRepository(session)
    for _ in range(SLUG_ATTEMPTS):
        product = Product(**data.model_dump(), slug=await products.unique_slug(data.name))
        try:
            await products.add(product)
            await session.commit()
            return product
        except IntegrityError:
            # A concurrent request took the same slug between our check and our insert:
            # start again, and this time the slug is taken, so a random suffix is added.
            await session.rollback()
    raise HTTPException(status_code=status.HTTP_409_CONFLICT, detail="Could not find a free slug")


@router.patch(
    "/{product_id}", response_model=ProductPublic, responses=failures(401, 403, 404, 413, 422)
)
async def update_product(
    product_id: uuid.UUID, data: ProductUpdate, _admin: AdminUser, session: SessionDep
) -> Product:
    # Admins may still edit (and so re-activate) an inactive product.
    product = await ProductRepository(session).get(product_id)
    if product is None:
        raise _not_found()
    changes = data.model_dump(exclude_unset=True)
    new_stock = changes.get("stock_quantity")
    if new_stock is not None and new_stock < product.reserved_quantity:
        raise HTTPException(
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
            detail=f"stock_quantity cannot be below the reserved quantity "
            f"({product.reserved_quantity})",
        )
    for field, value in changes.items():
        setattr(product, field, value)
    await session.commit()
    return product


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
    product.is_active = False
    await session.commit()
