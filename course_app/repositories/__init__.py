# Written by notebooks/04_repositories.ipynb: edit the notebook, not this file.
"""Repositories: the only place that builds SQL queries."""
