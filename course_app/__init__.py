# Written by notebooks/01_settings.ipynb: edit the notebook, not this file.
"""course_app: the production FastAPI service built in this course."""
