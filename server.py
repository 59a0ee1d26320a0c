"""The application factory: one ASGI app with the API, its docs and the dashboard."""

from __future__ import annotations

import importlib
import logging

from fastapi import APIRouter, FastAPI
from fastapi.responses import RedirectResponse
from sqlalchemy import text

from core import checkpoint, docs, http_errors, limits, security
from core.db import get_engine
from core.settings import get_settings

log = logging.getLogger("grants")

# Each domain contributes its router(s), mounted under these prefixes.
ROUTERS: list[tuple[str, str]] = [
    ("core.api", "/api/v1"),
    ("program.api", "/api/v1"),
    ("program.delivery_api", "/api/v1"),
    ("scoring.api", "/api/v1/scoring"),
    ("budgeting.api", "/api/v1/budgeting"),
    ("budgeting.public_api", "/api/v1/public"),
    ("opendata.api", "/api/v1/public"),
    ("compliance.api", "/api/v1/compliance"),
    ("reports.api", "/api/v1/reports"),
    ("decisions.api", "/api/v1"),
    ("reports.decision_api", "/api/v1"),
]


def create_app(*, with_dashboard: bool = True) -> FastAPI:
    """Build the application. `with_dashboard=False` serves the API alone (used by API tests)."""
    settings = get_settings()
    settings.check_secure()
    checkpoint.ensure_key(settings)  # the audit signing key: created in demo mode, required outside it
    if not settings.demo_mode:
        # The app is assembled here as in main.py, so it may name the demo accounts (seed_data).
        from core.auth import refuse_known_passwords
        from seed_data.demo import demo_credentials

        refuse_known_passwords(get_engine(), demo_credentials())
    app = FastAPI(
        title="AI training-data grant programme",
        description="Programme management and budget analytics for the AI training-data call "
                    "(인공지능 학습용 데이터 구축 사업). Money is integer won.",
        version="0.1.0",
        docs_url=None,
        redoc_url=None,
        lifespan=checkpoint.lifespan,  # signed audit checkpoints at start and every interval
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

    for module_name, prefix in ROUTERS:
        router: APIRouter = importlib.import_module(module_name).router
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
