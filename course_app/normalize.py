# Written by notebooks/02_schemas.ipynb: edit the notebook, not this file.
"""Text normalised at the edge, one rule per kind: every layer calls the same function."""


def normalize_email(email: str) -> str:
    """Emails compare case-insensitively: ADA@Example.com and ada@example.com are one account."""
    return email.strip().lower()
