# Written by notebooks/02_schemas.ipynb: edit the notebook, not this file.
"""Pydantic schemas: what the API accepts and what it returns."""
