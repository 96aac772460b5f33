"""Public pages: /transparansi (the leaders' numbers, aggregated and suppressed) and the open data index."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from cc112.deps import AppSettings, DbSession
from cc112.opendata import catalog, export
from cc112.opendata import service as opendata
from cc112.opendata.catalog import DATASETS, LICENCE
from cc112.opendata.service import OUTSIDE, IncidentTables
from cc112.web import i18n
from cc112.web.i18n import gettext as _
from cc112.web.templating import language_of, render

router = APIRouter(include_in_schema=False)
PAGE_CACHE = {"Cache-Control": "public, max-age=300", "Vary": "Cookie"}


def _number(value: float, pattern: str) -> str:
    return format_decimal(value, pattern, locale="id_ID" if i18n.current_language.get() == "id" else "en_GB")


def duration(seconds: float | None) -> str:
    """A time for people: seconds, minutes or hours (decimal comma in Bahasa Indonesia)."""
    if seconds is None:
        return "—"
    if seconds < 90:
        return f"{_number(seconds, '0')} {_('dtk')}"
    if seconds < 90 * 60:
        return f"{_number(seconds / 60, '0.0')} {_('mnt')}"
    return f"{_number(seconds / 3600, '0.0')} {_('jam')}"


def share(value: float | None) -> str:
    return "—" if value is None else f"{_number(value * 100, '0')} %"


def _month_names(labels: list[str], lang: str) -> dict[str, str]:
    locale = "id_ID" if lang == "id" else "en_GB"
    return {m: format_date(date.fromisoformat(m + "-01"), "MMM yyyy", locale=locale) for m in labels}


def _type_table(t: IncidentTables, lang: str) -> list[dict[str, Any]]:
    codes: set[str] = set()
    for m in t.months:
        codes |= set(m.by_type)
    rows = []
    for code in codes:
        name_id, name_en = t.types.get(code, (code, code))
        cells = {m.month: m.value("type", code) for m in t.months}
        rows.append(
            {
                "code": code,
                "name": name_en if lang == "en" else name_id,
                "cells": cells,
                "sum": export.window_sum(list(cells.values())),
            }
        )
    return sorted(rows, key=lambda r: (r["code"] == opendata.SENSITIVE, r["name"]))


def _kecamatan_table(t: IncidentTables) -> list[dict[str, Any]]:
    rows = []
    for code in [*t.kecamatan, OUTSIDE]:
        cells = {m.month: m.value("kec", code) for m in t.months}
        if code == OUTSIDE and not any(cells.values()) and all(v is not None for v in cells.values()):
            continue
        name = t.kecamatan[code].name if code in t.kecamatan else _("Di luar wilayah / tanpa lokasi")
        rows.append({"code": code, "name": name, "cells": cells, "sum": export.window_sum(list(cells.values()))})
    return rows


@router.get("/transparansi", response_class=HTMLResponse)
async def transparency(
    request: Request, db: DbSession, settings: AppSettings, month: str | None = None
) -> HTMLResponse:
    """Per-agency performance against targets, incidents per month by type and kecamatan, contacts."""
    w = await opendata.window(db=db, settings=settings, month=month or None)
    lang = language_of(request)
    tables = await opendata.incident_tables(db, w)
    agencies = await opendata.agency_rows(db, w)
    latest = w.labels[-1]
    trend: dict[str, dict[str, Any]] = defaultdict(lambda: {"cells": {}})
    for row in agencies:
        trend[row["agency_code"]]["name"] = row["agency_name"]
        trend[row["agency_code"]]["cells"][row["month"]] = row["response_share_within_target"]
    default = await opendata.window(db=db, settings=settings) if month else w
    totals = {m.month: m.value("total") for m in tables.months}
    return render(
        request,
        "transparansi.html",
        headers=PAGE_CACHE,
        w=w,
        months=w.labels,
        latest=latest,
        month_names=_month_names(sorted(set(default.labels) | set(w.labels)), lang),
        choices=list(reversed(default.labels)),
        chosen=month or "",
        types=_type_table(tables, lang),
        kecamatan=_kecamatan_table(tables),
        totals=totals,
        grand_total=export.window_sum(list(totals.values())),
        agencies=[r for r in agencies if r["month"] == latest],
        trend=dict(sorted(trend.items())),
        targets=await opendata.targets(db, w),
        contacts=await opendata.contact_rows(db, w),
        datasets=DATASETS.values(),
        licence=LICENCE,
        rule=catalog.rule(w.min_cell),
        duration=duration,
        share=share,
        min_cell=w.min_cell,
    )


@router.get("/opendata/", response_class=HTMLResponse)
async def index(request: Request, settings: AppSettings) -> HTMLResponse:
    """The open data index and its data dictionary, for people."""
    return render(
        request,
        "opendata_index.html",
        headers=PAGE_CACHE,
        datasets=DATASETS.values(),
        dictionary=catalog.dictionary(settings.opendata_min_cell),
        licence=LICENCE,
        rule=catalog.rule(settings.opendata_min_cell),
        privacy=catalog.PRIVACY,
        min_cell=settings.opendata_min_cell,
    )


@router.get("/opendata")
async def index_without_slash() -> RedirectResponse:
    """The index lives at /opendata/."""
    return RedirectResponse("/opendata/", status_code=308)


@router.get("/opendata/dictionary")
async def dictionary_page() -> RedirectResponse:
    """The human data dictionary is part of the index page."""
    return RedirectResponse("/opendata/#kamus", status_code=303)
