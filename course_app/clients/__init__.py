# Written by notebooks/14_services.ipynb: edit the notebook, not this file.
"""Clients of the other services the shop calls."""
