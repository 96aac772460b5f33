"""Public CAP outputs: each published alert as CAP 1.2 XML, and the Atom feed of them.

Not in the OpenAPI schema (that documents the JSON API); anyone may read them, nothing unpublished
exists here, and they carry no personal data.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from cc112.alerts import cap
from cc112.alerts import service as alerts
from cc112.alerts.models import Alert
from cc112.alerts.present import cap_path
from cc112.clock import now
from cc112.deps import AppSettings, DbSession
from cc112.errors import NotFound

router = APIRouter(include_in_schema=False)
FEED_SIZE = 50
SUMMARY_CHARS = 500
CACHE = {"Cache-Control": "public, max-age=60"}
STATUS_PREFIX = {"Exercise": "[LATIHAN] ", "Test": "[UJI] ", "System": "[SISTEM] "}
TYPE_PREFIX = {"Update": "PEMBARUAN: ", "Cancel": "DIBATALKAN: "}


def _not_found() -> Response:
    return Response("alert not found\n", status_code=404, media_type="text/plain")


@router.get("/alerts/cap/{identifier}.xml")
async def cap_message(identifier: Annotated[str, Path(max_length=64)], db: DbSession) -> Response:
    """One published alert as CAP 1.2 XML (application/cap+xml), exactly as it was sent."""
    try:
        alert = await alerts.get_published(db=db, identifier=identifier)
    except NotFound:
        return _not_found()
    assert alert.cap_xml is not None
    return Response(alert.cap_xml.encode("utf-8"), media_type=cap.CAP_MEDIA_TYPE, headers=CACHE)


def _entry(alert: Alert, base_url: str) -> cap.FeedEntry:
    info = alert.info("id-ID") or alert.infos[0]
    summary = info["description"]
    if len(summary) > SUMMARY_CHARS:
        summary = summary[: SUMMARY_CHARS - 1].rstrip() + "…"
    assert alert.identifier is not None and alert.sent_at is not None
    return cap.FeedEntry(
        identifier=alert.identifier,
        title=STATUS_PREFIX.get(alert.status, "") + TYPE_PREFIX.get(alert.msg_type, "") + info["headline"],
        summary=summary, category=alert.category, sent=alert.sent_at,
        cap_url=base_url + cap_path(alert.identifier),
    )


@router.get("/alerts/feed.atom")
async def alerts_feed(
    request: Request, db: DbSession, settings: AppSettings,
    jurisdiction: Annotated[str | None, Query(max_length=16, description="Kemendagri code, e.g. 72.01")] = None,
    exercise: bool | None = None,
) -> Response:
    """Atom 1.0 feed of published alerts, newest first; each entry links to its CAP XML."""
    rows = await alerts.list_published(db=db, jurisdiction_code=jurisdiction, exercise=exercise, limit=FEED_SIZE)
    base_url = str(request.base_url).rstrip("/")
    feed_url = base_url + request.url.path + (f"?{request.url.query}" if request.url.query else "")
    body = cap.build_feed([_entry(a, base_url) for a in rows], feed_url=feed_url,
                          title="Peringatan publik · Command Center 112", author="Command Center 112",
                          zone=settings.timezone, updated=now())
    return Response(body, media_type=cap.ATOM_MEDIA_TYPE + "; charset=utf-8", headers=CACHE)
