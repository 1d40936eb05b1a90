"""Running a service process: settings -> logging, tracing -> uvicorn serving the service's app."""

from __future__ import annotations

import uvicorn
from fastapi import FastAPI

from outreach_common.logging import configure_logging
from outreach_common.settings import ServiceSettings

# How long a service keeps an idle HTTP connection open: longer than the gateway keeps its pooled connections
# (`UPSTREAM_IDLE_S`), so the gateway always closes first. With uvicorn's default of 5 s a pooled connection
# reused just as the service closed it failed its request with a 502.
KEEP_ALIVE_S = 75


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    """Serve `app` until SIGTERM/SIGINT; the app's lifespan starts and stops the broker and loops."""
    configure_logging(settings.service_name, level=settings.log_level, json_logs=settings.log_json)
    uvicorn.run(app, host=settings.http_host, port=settings.http_port, log_config=None, access_log=False, lifespan="on",
                timeout_keep_alive=KEEP_ALIVE_S)  # fmt: skip
