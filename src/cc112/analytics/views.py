"""The leaders' dashboard (tables first, charts as enhancement) and the monthly PDF report."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from cc112.accounts import policy
from cc112.accounts.models import User
from cc112.agencies.models import Agency
from cc112.analytics import present, report
from cc112.analytics import service as analytics
from cc112.analytics.measures import Scope
from cc112.clock import now
from cc112.deps import DbSession
from cc112.errors import Invalid
from cc112.geo.models import Region
from cc112.web import i18n
from cc112.web.i18n import gettext as _
from cc112.web.pages import PageUser
from cc112.web.templating import language_of, render

router = APIRouter(include_in_schema=False)
PERIODS = ("today", "7d", "30d", "365d", "month", "custom")
TOP_TYPES_IN_CHART = 12


class DashboardFilters:
    """The filters as the page received them; they go unchanged into every CSV link."""

    def __init__(self, period: str = "30d", month: str | None = None, start: str | None = None,
                 end: str | None = None, agency: str | None = None, type: str | None = None,
                 kecamatan: str | None = None) -> None:
        self.period = period if period in PERIODS else "30d"
        self.month = month or None
        self.start, self.end = start or None, end or None
        self.agency, self.type, self.kecamatan = agency or None, type or None, kecamatan or None

    def params(self) -> dict[str, str]:
        """Only the parameters that mean something for this period."""
        out = {"period": self.period}
        if self.period == "month" and self.month:
            out["month"] = self.month
        if self.period == "custom":
            out.update({k: v for k, v in (("start", self.start), ("end", self.end)) if v})
        chosen = (("agency", self.agency), ("type", self.type), ("kecamatan", self.kecamatan))
        out.update({k: v for k, v in chosen if v})
        return out

    def csv(self, endpoint: str) -> str:
        return f"/api/v1/analytics/{endpoint}?{urlencode({**self.params(), 'format': 'csv'})}"

    async def scope(self, db: DbSession, user: User) -> Scope:
        return await analytics.build_scope(db, jurisdiction_id=user.jurisdiction_id, period=self.period,
                                           month=self.month, start=self.start, end=self.end, agency=self.agency,
                                           type_code=self.type, kecamatan=self.kecamatan)


def _charts(data: dict[str, Any], f: present.Format, tile_url: str) -> dict[str, Any]:
    """The numbers the charts draw (the same as the tables), with labels in the page's language."""
    inc = data["incidents"]
    english = f.lang == "en"
    types = inc["by_type"][:TOP_TYPES_IN_CHART]
    names = {code: (t.name_en if english else t.name_id) for code, t in data["types"].items()}
    return {
        "label": _("Kejadian"),
        "daily": {"labels": [f.day(r["day"], "d MMM") for r in inc["by_day"]],
                  "values": [r["count"] for r in inc["by_day"]]},
        "monthly": {"labels": [f.month(r["month"], "MMM yy") for r in data["monthly"]],
                    "values": [r["count"] for r in data["monthly"]]},
        "types": {"labels": [r["name_en"] if english else r["name"] for r in types],
                  "values": [r["count"] for r in types]},
        "priority": {"labels": list(inc["by_priority"]), "values": list(inc["by_priority"].values())},
        "map": {
            "tiles": tile_url,
            "kecamatan": [{"name": k["name"], "lat": k["lat"], "lon": k["lon"], "count": k["count"]}
                          for k in data["kecamatan"]],
            "hexes": [{"count": c["count"], "boundary": c["boundary"],
                       "label": f"{c['count']} {_('kejadian')} · {c['kecamatan']} · "
                                + ", ".join(f"{names.get(t['code'], t['code'])} ({t['count']})"
                                            for t in c["top_types"])}
                      for c in data["hotspots"]],
        },
    }


def last_full_month(zone: str) -> str:
    """The latest month that has ended, in the jurisdiction's zone (the report's default)."""
    today = now().astimezone(ZoneInfo(zone)).date()
    year, month = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
    return f"{year:04d}-{month:02d}"


async def _options(db: DbSession, user: User) -> dict[str, Any]:
    agencies = await db.scalars(select(Agency).where(Agency.jurisdiction_id == user.jurisdiction_id,
                                                     Agency.is_active.is_(True)).order_by(Agency.code))
    kecamatan = await db.scalars(select(Region).where(Region.jurisdiction_id == user.jurisdiction_id,
                                                      Region.level == "kecamatan").order_by(Region.name))
    return {"agencies": list(agencies), "kecamatan": list(kecamatan)}


Text = Annotated[str | None, Query(max_length=40)]


@router.get("/dashboard", response_class=HTMLResponse)
async def dashboard(request: Request, db: DbSession, user: PageUser,
                    period: Annotated[str, Query(max_length=8)] = "30d", month: Text = None, start: Text = None,
                    end: Text = None, agency: Text = None, type: Text = None, kecamatan: Text = None) -> HTMLResponse:
    """Leaders' dashboard: agency scorecard against targets, trends, charts with their tables, map, spikes."""
    policy.require(user, "analytics.read")
    i18n.current_language.set(language_of(request))
    filters = DashboardFilters(period, month, start, end, agency, type, kecamatan)
    error = None
    try:
        scope = await filters.scope(db, user)
    except Invalid as exc:  # show the page for the default period, with the reason, rather than an error page
        error, filters = exc.message, DashboardFilters()
        scope = await filters.scope(db, user)
    data = await present.gather(db, scope)
    f = present.Format()
    report_month = filters.month if filters.period == "month" and filters.month else last_full_month(scope.zone)
    return render(request, "dashboard.html", d=data, f=f, filters=filters, error=error,
                  charts=_charts(data, f, request.app.state.settings.map_tile_url), report_month=report_month,
                  goal=present.TARGET_SHARE_GOAL, measures=present.MEASURES, **await _options(db, user))


@router.get("/dashboard/report.pdf")
async def monthly_report(request: Request, db: DbSession, user: PageUser,
                         month: Annotated[str | None, Query(max_length=7, description="YYYY-MM")] = None) -> Response:
    """The monthly report for the bupati as a PDF (Bahasa Indonesia)."""
    policy.require(user, "analytics.read")
    zone = request.app.state.settings.timezone
    chosen = month or last_full_month(zone)
    pdf = await report.monthly_pdf(db, jurisdiction_id=user.jurisdiction_id, month=chosen)
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{report.file_name(chosen)}"',
                             "Cache-Control": "private, no-store"})
