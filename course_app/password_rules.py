# Written by notebooks/01_settings.ipynb: edit the notebook, not this file.
"""The password rules, in one place: registration and the first admin both obey them."""

import re

MIN_LENGTH = 8
MAX_LENGTH = 128

_REQUIRED = {
    "an upper-case letter": re.compile(r"[A-Z]"),
    "a lower-case letter": re.compile(r"[a-z]"),
    "a digit": re.compile(r"[0-9]"),
    "a symbol": re.compile(r"[^A-Za-z0-9\s]"),
}

# The four kinds of character as one regular expression, for the OpenAPI document, so clients
# can check a password before they send it. The lengths are stated as minLength and maxLength.
PATTERN = r"^(?=[\s\S]*[A-Z])(?=[\s\S]*[a-z])(?=[\s\S]*[0-9])(?=[\s\S]*[^A-Za-z0-9\s])"


def password_problems(password: str) -> list[str]:
    """What the password lacks, in words; empty when it follows every rule."""
    problems = []
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        problems.append(f"{MIN_LENGTH} to {MAX_LENGTH} characters")
    problems += [name for name, rule in _REQUIRED.items() if not rule.search(password)]
    return problems
