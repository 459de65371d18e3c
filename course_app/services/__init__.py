# Written by notebooks/07_orders.ipynb: edit the notebook, not this file.
"""Business rules that span several repositories."""
