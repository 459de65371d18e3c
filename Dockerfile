# The service's container image (notebook 10). Two stages: the first builds a virtual environment,
# the second copies only that environment and the code, so no compiler or pip cache ships.
#   docker build -t course-app .
#   docker run -p 8000:8000 -e SECRET_KEY=... -e DATABASE_URL=postgresql+asyncpg://... course-app

FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /venv
COPY deploy/requirements.txt /venv/requirements.txt
# Every version is pinned by `make lock`, the very ones the course's tests ran with. pip may add
# what only this image's Python needs (a backport, say); `pip check` fails the build on a gap.
RUN /venv/bin/pip install --requirement /venv/requirements.txt && /venv/bin/pip check

FROM python:3.11-slim-bookworm
# A user with no password, no shell login and no home to write into: the service needs none.
RUN useradd --system --no-log-init --uid 10001 --no-create-home --shell /usr/sbin/nologin app
COPY --from=build /venv /venv
WORKDIR /srv
COPY course_app ./course_app
COPY deploy/start.sh ./start.sh
ENV PATH="/venv/bin:$PATH" \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    ENVIRONMENT=production \
    HOST=0.0.0.0 \
    PORT=8000
# EXPOSE and HEALTHCHECK assume port 8000.
USER 10001
EXPOSE 8000
# Liveness only: readiness (/health/ready) is for the load balancer, which decides where to route.
HEALTHCHECK --interval=30s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)"]
# The shell script migrates once, then `exec`s uvicorn, so uvicorn gets SIGTERM from `docker stop`.
CMD ["./start.sh"]
