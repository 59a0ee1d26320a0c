"""The application factory: one ASGI app with the API, its docs and the dashboard."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.responses import RedirectResponse
from sqlalchemy import text

from budgeting import api as budgeting_api
from budgeting import programmes_api as budgeting_programmes_api
from budgeting import public_api as budgeting_public_api
from compliance import api as compliance_api
from core import api as core_api
from core import checkpoint, docs, http_errors, limits, security
from core import jobs_api as core_jobs_api
from core.db import get_engine
from core.settings import get_settings
from decisions import api as decisions_api
from opendata import api as opendata_api
from program import api as program_api
from program import delivery_api as program_delivery_api
from reports import api as reports_api
from reports import decision_api as reports_decision_api
from scoring import api as scoring_api

log = logging.getLogger("grants")

# The composition root: each domain contributes its router(s), mounted under these prefixes.
ROUTERS: list[tuple[APIRouter, str]] = [
    (core_api.router, "/api/v1"),
    (program_api.router, "/api/v1"),
    (program_delivery_api.router, "/api/v1"),
    (scoring_api.router, "/api/v1/scoring"),
    (budgeting_api.router, "/api/v1/budgeting"),
    (budgeting_public_api.router, "/api/v1/public"),
    (budgeting_programmes_api.router, "/api/v1"),
    (opendata_api.router, "/api/v1/public"),
    (compliance_api.router, "/api/v1/compliance"),
    (reports_api.router, "/api/v1/reports"),
    (decisions_api.router, "/api/v1"),
    (reports_decision_api.router, "/api/v1"),
    (core_jobs_api.router, "/api/v1"),
]


_frozen = False


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Size the worker's thread pool (WEB_THREADS, below its database pool), freeze what start-up built
    (gc.freeze), then the checkpoint writer."""
    import anyio.to_thread

    anyio.to_thread.current_default_thread_limiter().total_tokens = get_settings().web_threads
    # What start-up built (modules, the Dash layout, the routes: millions of objects) never becomes garbage;
    # frozen, it is left out of the collector's full passes, each of which took 250-290 ms of one request in
    # every few at national scale (bench dashboard, measured with gc.callbacks; the Python docs' advice for
    # long-running servers, gc.freeze).
    global _frozen
    if not _frozen:  # once per process (tests start many apps in one)
        gc.collect()
        gc.freeze()
        _frozen = True
    async with checkpoint.lifespan(app):
        yield


def create_app(*, with_dashboard: bool = True) -> FastAPI:
    """Build the application. `with_dashboard=False` serves the API alone (used by API tests)."""
    settings = get_settings()
    settings.check_secure()
    checkpoint.ensure_key(settings)  # the audit signing key: created in demo mode, required outside it
    if not settings.demo_mode:
        from core.auth import refuse_known_passwords
        from core.demo import demo_credentials

        refuse_known_passwords(get_engine(), demo_credentials())
    app = FastAPI(
        title="AI training-data grant programme",
        description="Programme management and budget analytics for the AI training-data call "
                    "(인공지능 학습용 데이터 구축 사업). Money is integer won.",
        version="0.1.0",
        docs_url=None,
        redoc_url=None,
        lifespan=_lifespan,  # the thread pool's size, and signed audit checkpoints at start and every interval
    )
    http_errors.install(app)
    docs.install(app)

    @app.get("/health", tags=["ops"])
    def health() -> dict[str, str]:
        with get_engine().connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"status": "ok", "database": get_engine().dialect.name}

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/dashboard/" if with_dashboard else "/docs")

    for router, prefix in ROUTERS:
        app.include_router(router, prefix=prefix)

    http_errors.document_errors(app)

    dash_prefix, dash_outputs = None, None
    if with_dashboard:
        from dashboard.app import PREFIX, attach

        attach(app)
        dash_prefix, dash_outputs = PREFIX, (lambda: app.state.dash_app.callback_map)
    # Added last so it is the outermost middleware: bodies are capped before anything reads them.
    limits.install(app, max_body_bytes=settings.max_body_bytes, max_upload_bytes=settings.max_upload_bytes,
                   dash_prefix=dash_prefix, dash_outputs=dash_outputs)
    # Outermost of all: cross-site checks before any body is read; security headers on every answer.
    security.install(app)
    return app
