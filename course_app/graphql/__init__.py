# Written by notebooks/12_graphql.ipynb: edit the notebook, not this file.
"""GraphQL beside REST: one schema over the same services, at POST /graphql."""
