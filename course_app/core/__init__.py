"""Cross-cutting building blocks: security and rate limiting."""
