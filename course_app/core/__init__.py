# Written by notebooks/05_auth.ipynb: edit the notebook, not this file.
"""Cross-cutting building blocks: security and rate limiting."""
