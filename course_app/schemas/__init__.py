"""Pydantic schemas: what the API accepts and what it returns."""
