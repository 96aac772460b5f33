"""create_app(): routers, middleware, error mapping, lifespan."""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware

from cc112 import __version__
from cc112.config import Settings, get_settings
from cc112.db import Database
from cc112.deps import CurrentUser
from cc112.errors import DomainError, RateLimited
from cc112.events.bus import make_bus
from cc112.middleware import BodySizeLimit, RateLimit

log = logging.getLogger("cc112")


def _error(status: int, code: str, message: str, fields: list[dict[str, str]] | None = None,
           headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"error": {"code": code, "message": message}}
    if fields:
        body["error"]["fields"] = fields
    return JSONResponse(status_code=status, content=body, headers=headers)


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> Response:
        from cc112.web.views import is_page_request, page_error

        if is_page_request(request) and request.url.path not in ("/healthz", "/readyz"):
            return page_error(request, exc)
        fields = [{"field": exc.field, "message": exc.message}] if exc.field else None
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
        if exc.status_code == 401:
            headers = {"WWW-Authenticate": "Bearer"}
        return _error(exc.status_code, exc.code, exc.message, fields, headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        fields = []
        for err in exc.errors():
            msg = str(err.get("msg", "invalid value"))
            loc = tuple(err.get("loc", ()))
            if err.get("type") == "json_invalid":  # loc is ("body", character position), not a field
                msg = f"the body is not valid JSON (near character {loc[-1] if len(loc) > 1 else 0})"
                loc = ("body",)
            fields.append({"field": _field_name(loc), "message": msg})
        summary = "; ".join(f"{f['field']}: {f['message']}" for f in fields[:5])
        return _error(422, "validation_error", f"check these fields — {summary}", fields)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        messages = {404: "no such endpoint; see /docs", 405: "method not allowed on this endpoint"}
        code = "too_large" if exc.status_code == 413 else "http_error"
        return _error(exc.status_code, code, messages.get(exc.status_code, str(exc.detail)),
                      headers=getattr(exc, "headers", None))

    @app.exception_handler(IntegrityError)
    async def _integrity(_: Request, exc: IntegrityError) -> JSONResponse:
        log.warning("integrity error: %s", exc.orig)
        return _error(409, "conflict", "this change conflicts with existing data; reload and retry")

    @app.exception_handler(DataError)
    @app.exception_handler(OverflowError)  # SQLite: an integer beyond 64 bits
    async def _data(_: Request, exc: Exception) -> JSONResponse:
        # A value the database cannot hold (out-of-range number, bad characters): the input's fault.
        log.warning("value refused by the database: %s", exc)
        return _error(422, "invalid", "a value is out of range or has characters the database cannot store")

    @app.exception_handler(DBAPIError)
    async def _dbapi(request: Request, exc: DBAPIError) -> JSONResponse:
        if str(getattr(exc.orig, "sqlstate", "") or "").startswith("22"):  # SQLSTATE class 22: data exception
            return await _data(request, exc)
        text_ = str(exc.orig).lower()
        if any(k in text_ for k in ("deadlock", "could not serialize", "database is locked")):
            return _error(409, "conflict", "another change happened at the same moment; retry",
                          headers={"Retry-After": "1"})
        log.exception("database error")
        return _error(503, "database_unavailable", "the database is not answering; try again shortly",
                      headers={"Retry-After": "5"})


BackgroundTask = Callable[[FastAPI], Awaitable[None]]

# Every domain's JSON routes (api.py) and pages (views.py), in this order; a module that does not
# exist yet is skipped, a module that fails to import is an error.
ROUTER_MODULES = (
    "accounts.api", "agencies.api", "contacts.api", "incidents.api", "dispatch.api", "catalog.api", "events.api",
    "public.api", "channels.api", "open311.api", "alerts.api", "analytics.api", "opendata.api",
    "incidents.views", "incidents.supervision", "dispatch.views", "public.views", "alerts.views",
    "analytics.views", "opendata.views",
)


def discover_routers() -> list[APIRouter]:
    routers = []
    for name in ROUTER_MODULES:
        module_name = f"cc112.{name}"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name in (module_name, module_name.rsplit(".", 1)[0]):
                continue
            raise
        routers.append(module.router)
    return routers


def create_app(settings: Settings | None = None, *, background: list[BackgroundTask] | None = None) -> FastAPI:
    """The application; `background` tasks run inside its lifespan (e.g. the demo simulator)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.db = Database(settings)
        app.state.bus = make_bus(settings.redis_url)
        app.state.db.bus = app.state.bus
        await app.state.bus.start()
        from cc112.events.feed import EventFeed

        app.state.feed = EventFeed(app.state.db, app.state.bus)
        await app.state.feed.start()
        tasks = [asyncio.create_task(job(app)) for job in background or []]
        if settings.audit_chain_seconds > 0:
            from cc112.accounts.audit import run_chainer

            tasks.append(asyncio.create_task(run_chainer(app.state.db, every_seconds=settings.audit_chain_seconds)))
        if settings.deadline_sweep_seconds > 0:
            from cc112.dispatch.deadlines import run_forever

            tasks.append(asyncio.create_task(run_forever(app.state.db, every_seconds=settings.deadline_sweep_seconds)))
        if settings.analytics_rollup_seconds > 0:
            from cc112.analytics import rollups

            tasks.append(asyncio.create_task(rollups.run_forever(app.state.db,
                                                                 every_seconds=settings.analytics_rollup_seconds)))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if settings.audit_chain_seconds > 0:
                from cc112.accounts.audit import chain_all

                try:
                    await chain_all(app.state.db)  # leave nothing unchained at a clean stop
                except Exception:
                    log.exception("could not chain the last audit entries at shutdown")
            await app.state.feed.stop()
            await app.state.bus.stop()
            await app.state.db.dispose()

    app = FastAPI(
        title="Command Center 112", version=__version__, lifespan=lifespan,
        description="Multi-agency emergency command center (Banggai model). JSON API under /api/v1.",
    )
    app.state.settings = settings
    from cc112.ratelimit import Limiter

    app.state.limiter = Limiter(settings.redis_url)
    install_error_handlers(app)
    app.add_middleware(RateLimit, settings=settings)
    # Slow office and village links: compress pages, scripts and JSON (never the event stream).
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=6)
    upload_limit = settings.max_photo_bytes + 256 * 1024  # the photo plus the form around it
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes,
                       overrides={"/lapor": upload_limit, "/api/v1/public/reports": upload_limit})

    from cc112.web.views import install_pages

    install_pages(app)
    for router in discover_routers():
        app.include_router(router)

    @app.get("/healthz", tags=["health"])
    async def healthz() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"])
    async def readyz(request: Request) -> JSONResponse:
        """Readiness: the database (and Redis, when configured) answer."""
        checks: dict[str, str] = {}
        try:
            async with request.app.state.db.session(write=False) as session:
                await session.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as exc:  # report, do not crash
            checks["database"] = f"error: {type(exc).__name__}"
        bus = request.app.state.bus
        checks["bus"] = type(bus).__name__
        ok = checks["database"] == "ok"
        return JSONResponse(status_code=200 if ok else 503, content={"status": "ok" if ok else "unavailable", **checks})

    @app.get("/api/v1/ping", tags=["health"])
    async def ping(user: CurrentUser) -> dict[str, str]:
        """An authenticated no-op (the benchmark's baseline)."""
        return {"status": "ok", "user": user.username}

    return app
