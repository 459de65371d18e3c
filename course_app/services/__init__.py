"""Business rules that span several repositories."""
