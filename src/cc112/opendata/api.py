"""Open data downloads under /opendata/: CSV, JSON and GeoJSON, with the dictionary and the licence."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from cc112.deps import AppSettings, DbSession
from cc112.opendata import catalog, export
from cc112.opendata import service as opendata
from cc112.opendata.catalog import DATASETS, LICENCE

router = APIRouter(prefix="/opendata", tags=["open data"])
Month = Annotated[
    str | None, Query(max_length=7, description="one full month YYYY-MM; default the last 12 full months")
]
CACHE = "public, max-age=3600"


def headers(**extra: str) -> dict[str, str]:
    """Licence and dictionary as links (RFC 8288), and caching: past months hardly change."""
    return {
        "Link": f'<{LICENCE["url"]}>; rel="license", <{catalog.DICTIONARY_URL}>; rel="describedby"',
        "Cache-Control": CACHE,
        "Access-Control-Allow-Origin": "*",
        **extra,
    }


@router.get("/index.json")
async def index(settings: AppSettings) -> JSONResponse:
    """The datasets with their download links, the licence and the suppression rule."""
    body: dict[str, Any] = {
        "title": "Data terbuka Command Center 112",
        "licence": LICENCE,
        "attribution": catalog.ATTRIBUTION,
        "dictionary": catalog.DICTIONARY_URL,
        "suppression": {"min_cell": settings.opendata_min_cell, "rule": catalog.rule(settings.opendata_min_cell)},
        "datasets": [
            {
                "name": d.name,
                "title": d.title_id,
                "title_en": d.title_en,
                "links": {f: f"/opendata/{d.name}.{f}" for f in d.formats},
            }
            for d in DATASETS.values()
        ],
    }
    return JSONResponse(body, headers=headers())


@router.get("/dictionary.json")
async def dictionary(settings: AppSettings) -> JSONResponse:
    """The data dictionary: every dataset and field, the suppression rule and the licence."""
    return JSONResponse(catalog.dictionary(settings.opendata_min_cell), headers=headers())


@router.get("/{dataset}.{fmt}")
async def download(
    dataset: str, fmt: Literal["csv", "json", "geojson"], db: DbSession, settings: AppSettings, month: Month = None
) -> Response:
    """One dataset for the last 12 full months (or ?month=YYYY-MM), aggregated and suppressed."""
    export.check(dataset, fmt)
    w = await opendata.window(db=db, settings=settings, month=month)
    rows, features = await export.build(db, w, dataset)
    body, media_type = export.render(w, dataset, fmt, rows, features)
    label = w.labels[0] if len(w.labels) == 1 else f"{w.labels[0]}_{w.labels[-1]}"
    disposition = "attachment" if fmt == "csv" else "inline"
    return Response(
        body,
        media_type=media_type,
        headers=headers(**{"Content-Disposition": f'{disposition}; filename="{dataset}-{label}.{fmt}"'}),
    )
