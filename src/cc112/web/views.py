"""Shell pages: login, logout, language switch, home by role; static and vendor files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from cc112.accounts import security
from cc112.accounts import service as accounts
from cc112.clock import now
from cc112.deps import CSRF_COOKIE, SESSION_COOKIE
from cc112.errors import DomainError
from cc112.web import i18n
from cc112.web.pages import HOME_BY_ROLE, LoginRequired, PageUser
from cc112.web.templating import LANG_COOKIE, render

router = APIRouter(include_in_schema=False)
ROOT = Path(__file__).resolve().parents[3]
VENDOR = {  # url name -> directory inside node_modules (installed by `make install`, not committed)
    "htmx": "htmx.org/dist", "htmx-sse": "htmx-ext-sse", "leaflet": "leaflet/dist",
    "markercluster": "leaflet.markercluster/dist", "chartjs": "chart.js/dist",
}


def _safe_next(next_path: str | None) -> str | None:
    if next_path and next_path.startswith("/") and not next_path.startswith("//"):
        return next_path
    return None


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, next: str | None = None, reason: str | None = None) -> HTMLResponse:
    """The staff login page."""
    return render(request, "login.html", next=_safe_next(next) or "", reason=reason or "")


@router.post("/login")
async def login_submit(
    request: Request,
    username: Annotated[str, Form(max_length=64)], password: Annotated[str, Form(max_length=256)],
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Check the password, set the session cookie, go to the user's home page."""
    settings = request.app.state.settings
    database = request.app.state.db
    async with database.session_scope() as db:
        result = await accounts.login(db=db, settings=settings, username=username, password=password, kind="cookie")
    if result.error is not None:
        message = result.error.message if isinstance(result.error, DomainError) else str(result.error)
        return render(request, "login.html", status_code=401, next=_safe_next(next) or "", error=message,
                      username=username, reason="")
    assert result.user is not None and result.session_id is not None
    token = security.issue_token(secret=settings.secret_key, session_id=result.session_id,
                                 user_id=result.user.id, at=now(), hours=settings.token_lifetime_hours)
    target = _safe_next(next) or HOME_BY_ROLE.get(result.user.role, "/console")
    response = RedirectResponse(target, status_code=303)
    secure = request.url.scheme == "https"
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=secure, path="/")
    response.set_cookie(CSRF_COOKIE, security.csrf_token(secret=settings.secret_key, session_id=result.session_id),
                        samesite="strict", secure=secure, path="/")
    return response


@router.post("/logout")
async def logout_submit(request: Request, user: PageUser) -> Response:
    """End the session and return to the login page."""
    async with request.app.state.db.session_scope() as db:
        await accounts.logout(db=db, session_id=request.state.session_id)
    response = Response(status_code=204, headers={"HX-Redirect": "/login"})
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.get("/lang/{code}")
async def switch_language(request: Request, code: str, next: str | None = None) -> Response:
    """Switch the interface language (id, en)."""
    response = RedirectResponse(_safe_next(next) or request.headers.get("referer") or "/", status_code=303)
    if code in i18n.LANGUAGES:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 86400, samesite="lax", path="/")
    return response


@router.get("/favicon.ico")
async def favicon() -> Response:
    """Browsers ask for it; answer with the SVG icon."""
    return RedirectResponse("/static/favicon.svg", status_code=301)


@router.get("/staff")
async def staff_home(user: PageUser) -> Response:
    """Each role's home page."""
    return RedirectResponse(HOME_BY_ROLE.get(user.role, "/console"), status_code=303)


def install_pages(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    for name, sub in VENDOR.items():
        path = ROOT / "node_modules" / sub
        if path.is_dir():
            app.mount(f"/vendor/{name}", StaticFiles(directory=path), name=f"vendor-{name}")

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        target = f"/login?next={exc.next_path}"
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)


def page_error(request: Request, exc: DomainError) -> Response:
    """Domain errors on pages: a message in the flash area (htmx) or an error page."""
    if request.headers.get("hx-request"):
        return render(request, "_flash.html", status_code=exc.status_code, kind="error", message=exc.message,
                      headers={"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"})
    return render(request, "error.html", status_code=exc.status_code, message=exc.message)


def is_page_request(request: Request) -> bool:
    path = request.url.path
    if path.startswith(("/api/", "/open311", "/channels", "/alerts/cap", "/opendata")):
        return False
    wants_json = "application/json" in request.headers.get("accept", "") and not request.headers.get("hx-request")
    return not wants_json


def json_or_page(request: Request, exc: DomainError, json_response: JSONResponse) -> Response:
    return page_error(request, exc) if is_page_request(request) else json_response


