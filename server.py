"""The application factory: one ASGI app with the API, its docs and the dashboard."""

from __future__ import annotations

import importlib
import logging

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy import text

from core.db import get_engine
from core.errors import DomainError
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
    ("compliance.api", "/api/v1/compliance"),
    ("reports.api", "/api/v1/reports"),
]


def create_app(*, with_dashboard: bool = True) -> FastAPI:
    """Build the application. `with_dashboard=False` serves the API alone (used by API tests)."""
    settings = get_settings()
    settings.check_secure()
    app = FastAPI(
        title="AI training-data grant programme",
        description="Programme management and budget analytics for the AI training-data call "
                    "(인공지능 학습용 데이터 구축 사업). Money is integer won.",
        version="0.1.0",
    )

    @app.exception_handler(DomainError)
    async def _domain_error(_: Request, exc: DomainError) -> JSONResponse:
        return JSONResponse(status_code=exc.status_code, content=exc.to_dict())

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

    if with_dashboard:
        from dashboard.app import attach

        attach(app)
    return app
