"""course_app: the production FastAPI service built in this course."""
