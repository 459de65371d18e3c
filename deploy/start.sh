#!/bin/sh
# Start the service as its container does: migrate and make the first admin once, then the
# workers. Settings come from the environment (see course_app/settings.py). TRUSTED_PROXIES
# names the proxy in front of the service, for uvicorn (client address, https) and for the
# service (the login limit) alike.
set -eu

python -m course_app.prestart

# `exec` makes uvicorn this process: a stop signal reaches it, and it shuts down gracefully
# (it finishes requests in flight for up to the graceful timeout, then exits).
exec uvicorn course_app.main:app \
    --host "${HOST:-127.0.0.1}" \
    --port "${PORT:-8000}" \
    --workers "${WEB_CONCURRENCY:-4}" \
    --proxy-headers \
    --forwarded-allow-ips "${TRUSTED_PROXIES:-127.0.0.1}" \
    --timeout-graceful-shutdown "${GRACEFUL_TIMEOUT:-20}" \
    --no-access-log
