"""The monthly report for the bupati: an HTML page in Bahasa Indonesia with inline SVG charts,
printed to PDF by WeasyPrint (no JavaScript). Built from the same numbers as the dashboard."""

from __future__ import annotations

import asyncio
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from sqlalchemy.ext.asyncio import AsyncSession

from cc112.analytics import present, svg
from cc112.analytics import service as analytics
from cc112.clock import now
from cc112.errors import Unavailable
from cc112.geo.models import Jurisdiction
from cc112.web import i18n
from cc112.web.labels import LABELS
from cc112.web.templating import env

TEMPLATE = "report_monthly.html"
CHANNEL_LABELS = {"phone": "telepon", "sms": "SMS", "web": "web", "app": "aplikasi", "cctv": "CCTV",
                  "walk_in": "datang langsung", "radio": "radio"}
HOTSPOTS_IN_REPORT = 10
TYPES_IN_CHART = 10


def file_name(month: str) -> str:
    return f"laporan-bulanan-112-{month}.pdf"


def _charts(data: dict[str, Any], f: present.Format) -> dict[str, Any]:
    inc = data["incidents"]
    types = inc["by_type"][:TYPES_IN_CHART]
    return {
        "daily": svg.line([f.day(r["day"], "d MMM") for r in inc["by_day"]], [r["count"] for r in inc["by_day"]],
                          title="Kejadian per hari"),
        "monthly": svg.bars([f.month(r["month"], "MMM yy") for r in data["monthly"]],
                            [r["count"] for r in data["monthly"]], title="Kejadian per bulan, 12 bulan terakhir"),
        "types": svg.hbars([r["name"] for r in types], [r["count"] for r in types], title="Jenis kejadian terbanyak"),
        "map": svg.area_map(data["kecamatan"], data["hotspots"], title="Peta kejadian per kecamatan dan titik rawan"),
    }


async def build(db: AsyncSession, *, jurisdiction_id: int, month: str) -> dict[str, Any]:
    """The report's content for one month (YYYY-MM) of one jurisdiction, exercises excluded."""
    scope = await analytics.build_scope(db, jurisdiction_id=jurisdiction_id, period="month", month=month)
    data = await present.gather(db, scope, hotspot_limit=HOTSPOTS_IN_REPORT)
    jurisdiction = await db.get(Jurisdiction, jurisdiction_id)
    f = present.Format("id")
    monthly = data["monthly"]
    previous_total = monthly[-2]["count"] if len(monthly) > 1 else None
    busiest = max(data["incidents"]["by_day"], key=lambda r: r["count"], default=None)
    return {
        "d": data, "f": f, "month": month, "month_name": f.month(month),
        "previous_month_name": f.month(data["previous_period"].label),
        "jurisdiction": jurisdiction.name if jurisdiction else "",
        "zone": i18n.zone_abbreviation(scope.zone),
        "generated": _generated(scope.zone),
        "previous_total": previous_total,
        "busiest": busiest if busiest and busiest["count"] else None,
        "charts": _charts(data, f),
        "goal": present.TARGET_SHARE_GOAL, "goal_label": present.GOAL_LABEL,
        "measures": present.MEASURES, "measure_labels": present.MEASURE_LABELS,
        "class_labels": LABELS, "channel_labels": CHANNEL_LABELS,
    }


def _generated(zone: str) -> str:
    at = format_datetime(now(), "d MMMM yyyy HH:mm", tzinfo=ZoneInfo(zone), locale="id_ID")
    return f"{at} {i18n.zone_abbreviation(zone)}"


def render_html(context: dict[str, Any]) -> str:
    """The report as a standalone HTML document (what WeasyPrint prints)."""
    return env.get_template(TEMPLATE).render(**context)


def to_pdf(html: str) -> bytes:
    """Print the HTML to PDF with WeasyPrint (needs Debian's pango libraries)."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: WeasyPrint is there but pango is not
        raise Unavailable("PDF printing is not installed on this server: pip install weasyprint and "
                          f"apt-get install libpango-1.0-0 libpangoft2-1.0-0 ({exc})") from exc
    return HTML(string=html).write_pdf()  # type: ignore[no-any-return]


async def monthly_pdf(db: AsyncSession, *, jurisdiction_id: int, month: str) -> bytes:
    """Build and print one month's report; printing runs in a worker thread."""
    html = render_html(await build(db, jurisdiction_id=jurisdiction_id, month=month))
    return await asyncio.to_thread(to_pdf, html)
