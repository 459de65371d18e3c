# Written by notebooks/05_auth.ipynb: edit the notebook, not this file.
"""One router per resource."""
