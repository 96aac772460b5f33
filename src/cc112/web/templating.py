"""Jinja2 environment shared by every domain's pages, and the page helpers."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from cc112.accounts import security
from cc112.clock import now
from cc112.web import i18n
from cc112.web.labels import label

PACKAGE = Path(__file__).resolve().parents[1]
TEMPLATE_DIRS = [PACKAGE / "web" / "templates"] + sorted(
    p for p in PACKAGE.glob("*/templates") if p.parent.name != "web"
)
LANG_COOKIE = "cc112_lang"

env = Environment(
    loader=ChoiceLoader([FileSystemLoader(str(d)) for d in TEMPLATE_DIRS]),
    autoescape=select_autoescape(["html", "xml"]),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)
env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
env.filters["wita"] = i18n.local_time
env.filters["clock"] = lambda v: i18n.local_time(v, "time")


def _since(value: datetime | None) -> str:
    if value is None:
        return "—"
    seconds = max(0, int((now() - value).total_seconds()))
    if seconds < 60:
        return f"{seconds} d" if i18n.current_language.get() == "id" else f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} m"
    return f"{seconds // 3600} j {seconds % 3600 // 60} m" if i18n.current_language.get() == "id" else f"{seconds // 3600} h {seconds % 3600 // 60} m"


env.filters["since"] = _since
env.filters["lbl"] = label
env.globals["iso"] = lambda v: v.isoformat() if v else ""


def language_of(request: Request) -> str:
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in i18n.LANGUAGES:
        return chosen
    return request.app.state.settings.language  # type: ignore[no-any-return]


def render(request: Request, template: str, status_code: int = 200, headers: dict[str, str] | None = None,
           **context: Any) -> HTMLResponse:
    """Render a page or fragment in the request's language and the jurisdiction's time zone."""
    settings = request.app.state.settings
    i18n.current_language.set(language_of(request))
    i18n.current_zone.set(settings.timezone)
    user = getattr(request.state, "user", None)
    sid = getattr(request.state, "session_id", None)
    csrf = security.csrf_token(secret=settings.secret_key, session_id=sid) if sid else ""
    html = env.get_template(template).render(
        request=request, user=user, csrf=csrf, lang=i18n.current_language.get(), settings=settings,
        zone=i18n.zone_abbreviation(settings.timezone), now=now(), server_now_ms=int(now().timestamp() * 1000),
        **context,
    )
    return HTMLResponse(html, status_code=status_code, headers=headers)
