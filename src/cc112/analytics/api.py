"""Dashboard JSON (and CSV) for leaders, supervisors and administrators."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from cc112.analytics import measures
from cc112.analytics import service as analytics
from cc112.deps import CurrentUser, DbSession

router = APIRouter(prefix="/api/v1/analytics", tags=["analytics"])
PeriodKind = Literal["today", "7d", "30d", "365d", "month", "custom"]


class Filters:
    """The dashboard's filters, shared by every endpoint."""

    def __init__(self, period: PeriodKind = "30d",
                 month: Annotated[str | None, Query(max_length=7, description="YYYY-MM when period=month")] = None,
                 start: Annotated[str | None, Query(max_length=10, description="YYYY-MM-DD when period=custom")] = None,
                 end: Annotated[str | None, Query(max_length=10, description="YYYY-MM-DD when period=custom")] = None,
                 agency: Annotated[str | None, Query(max_length=32)] = None,
                 type: Annotated[str | None, Query(max_length=40)] = None,
                 kecamatan: Annotated[str | None, Query(max_length=20)] = None) -> None:
        self.values = {"period": period, "month": month, "start": start, "end": end, "agency": agency,
                       "type_code": type, "kecamatan": kecamatan}

    async def scope(self, db: DbSession, user: CurrentUser) -> measures.Scope:
        analytics.require_analytics(user)
        return await analytics.build_scope(db, jurisdiction_id=user.jurisdiction_id, **self.values)


def _period(scope: measures.Scope) -> dict[str, str]:
    return {"label": scope.period.label, "first_day": scope.period.first_day.isoformat(),
            "last_day": scope.period.last_day.isoformat(), "zone": scope.zone}


def csv_response(rows: list[dict[str, Any]], name: str) -> Response:
    """A CSV download of a table (the numbers behind a chart)."""
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


AnalyticsFilters = Annotated[Filters, Depends()]
Format = Annotated[Literal["json", "csv"], Query(description="csv downloads the table behind the chart")]


@router.get("/incidents", response_model=None)
async def incidents(db: DbSession, user: CurrentUser, filters: AnalyticsFilters, format: Format = "json"
                    ) -> dict[str, Any] | Response:
    """Incident counts by type, priority, kecamatan, local day and hour × weekday."""
    scope = await filters.scope(db, user)
    data = await measures.incident_breakdown(db, scope)
    if format == "csv":
        rows = [{"table": "by_day", "key": r["day"], "name": "", "count": r["count"]} for r in data["by_day"]]
        rows += [{"table": "by_type", "key": r["code"], "name": r["name"], "count": r["count"]} for r in data["by_type"]]
        rows += [{"table": "by_kecamatan", "key": r["code"], "name": r["name"], "count": r["count"]}
                 for r in data["by_kecamatan"]]
        rows += [{"table": "by_priority", "key": k, "name": "", "count": v} for k, v in data["by_priority"].items()]
        rows += [{"table": "hour_weekday", "key": f"{w}-{h:02d}", "name": "", "count": n}
                 for w, row in enumerate(data["hour_weekday"]) for h, n in enumerate(row)]
        return csv_response(rows, f"incidents-{scope.period.label}")
    return {"period": _period(scope), **data}


def _flat_scorecard(cards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for card in cards:
        for priority, summary in [("all", card), *card["by_priority"].items()]:
            row: dict[str, Any] = {"agency": card["agency"], "priority": priority, "assignments": summary["assignments"],
                                   "declined": summary["declined"], "reassigned": summary["reassigned"]}
            for measure in ("acknowledge", "response", "resolution"):
                for key, value in summary[measure].items():
                    row[f"{measure}_{key}"] = value
            rows.append(row)
    return rows


@router.get("/scorecard", response_model=None)
async def scorecard(db: DbSession, user: CurrentUser, filters: AnalyticsFilters, format: Format = "json"
                    ) -> dict[str, Any] | Response:
    """Per agency: acknowledgement, response and resolution times against targets, with the previous period."""
    scope = await filters.scope(db, user)
    cards = await measures.scorecard(db, scope)
    if format == "csv":
        return csv_response(_flat_scorecard(cards), f"scorecard-{scope.period.label}")
    previous = measures.Scope(scope.jurisdiction_id, scope.period.previous(scope.zone), scope.zone,
                              scope.agency_id, scope.type_code, scope.region_id)
    return {"period": _period(scope), "agencies": cards, "previous": await measures.scorecard(db, previous),
            "jurisdiction": await measures.jurisdiction_times(db, scope)}


@router.get("/contacts", response_model=None)
async def contacts(db: DbSession, user: CurrentUser, filters: AnalyticsFilters, format: Format = "json"
                   ) -> dict[str, Any] | Response:
    """Contact statistics as European 112 reports them."""
    scope = await filters.scope(db, user)
    data = await measures.contact_stats(db, scope)
    if format == "csv":
        rows = [{"measure": k, "value": v} for k, v in data.items() if not isinstance(v, dict)]
        rows += [{"measure": f"classification:{k}", "value": v} for k, v in data["by_classification"].items()]
        rows += [{"measure": f"channel:{k}", "value": v} for k, v in data["by_channel"].items()]
        return csv_response(rows, f"contacts-{scope.period.label}")
    return {"period": _period(scope), **data}


@router.get("/ratings")
async def ratings(db: DbSession, user: CurrentUser, filters: AnalyticsFilters) -> dict[str, Any]:
    """Citizen ratings of incidents in scope."""
    scope = await filters.scope(db, user)
    return {"period": _period(scope), **await measures.ratings(db, scope)}


@router.get("/hotspots", response_model=None)
async def hotspots(db: DbSession, user: CurrentUser, filters: AnalyticsFilters, format: Format = "json"
                   ) -> dict[str, Any] | Response:
    """H3 hexagons with the most incidents and their top types."""
    scope = await filters.scope(db, user)
    cells = await analytics.hotspots(db, scope)
    if format == "csv":
        return csv_response([{"cell": c["cell"], "lat": c["lat"], "lon": c["lon"], "count": c["count"],
                              "top_types": " ".join(f"{t['code']}:{t['count']}" for t in c["top_types"])}
                             for c in cells], f"hotspots-{scope.period.label}")
    return {"period": _period(scope), "cells": cells}


@router.get("/spikes")
async def spikes(db: DbSession, user: CurrentUser, filters: AnalyticsFilters) -> dict[str, Any]:
    """Incident types unusually frequent on the period's last day, against a 28-day baseline."""
    scope = await filters.scope(db, user)
    return {"period": _period(scope), "spikes": await analytics.spikes(db, scope)}


@router.get("/monthly", response_model=None)
async def monthly(db: DbSession, user: CurrentUser, filters: AnalyticsFilters, format: Format = "json"
                  ) -> dict[str, Any] | Response:
    """Incidents per month for the twelve months ending with the period's last month."""
    scope = await filters.scope(db, user)
    series = await measures.monthly_counts(db, scope)
    if format == "csv":
        return csv_response(series, f"monthly-{scope.period.label}")
    return {"period": _period(scope), "months": series}
