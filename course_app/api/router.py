# Written by notebooks/12_graphql.ipynb: edit the notebook, not this file.
"""The API router: every resource router in one place, and GraphQL beside them."""

from fastapi import APIRouter

from course_app.api.routes import auth, health, orders, products, users
from course_app.graphql.schema import graphql_router

api_router = APIRouter()
api_router.include_router(health.router)
api_router.include_router(auth.router)
api_router.include_router(users.router)
api_router.include_router(products.router)
api_router.include_router(orders.router)
api_router.include_router(graphql_router)
