"""The finished service with its catalogue cache switched off, for benchmarks 2 and 3.

Everything else is the service as it ships: the same routes, middleware, database and
settings. Served as `uvicorn benchmarks.uncached_app:app`.
"""

from course_app.core.cache import NoCatalogueCache
from course_app.main import create_app

app = create_app()
# Before the lifespan runs, so the database sessions report product writes to this one.
app.state.resources.catalogue_cache = NoCatalogueCache()
