# Written by notebooks/05_auth.ipynb: edit the notebook, not this file.
"""The HTTP layer: dependencies and routes."""
