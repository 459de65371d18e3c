# Written by notebooks/07_orders.ipynb: edit the notebook, not this file.
"""The API router: every resource router in one place."""

from fastapi import APIRouter

from course_app.api.routes import auth, health, orders, products, users

api_router = APIRouter()
api_router.include_router(health.router)
api_router.include_router(auth.router)
api_router.include_router(users.router)
api_router.include_router(products.router)
api_router.include_router(orders.router)
