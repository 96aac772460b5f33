"""Reading the dashboard page like a person (or a CSV download) would."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import lxml.html

from cc112.clock import now

CHART_FIGURES = ("chart-daily", "chart-monthly", "chart-types", "chart-priority", "chart-heat", "chart-map")


def page(html: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(html)


def last_month() -> str:
    """The month before this one, in WITA (the history has data in it)."""
    first = now().astimezone(ZoneInfo("Asia/Makassar")).date().replace(day=1)
    return (first - timedelta(days=1)).strftime("%Y-%m")


def csv_links(doc: lxml.html.HtmlElement) -> list[str]:
    return [a.get("href") for a in doc.cssselect("a.csv")]


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def verdict(doc: lxml.html.HtmlElement, agency: str, measure: str) -> str:
    """'met', 'miss' or 'none' for one agency's measure in the scorecard."""
    cell = doc.cssselect(f'#scorecard tr[data-agency="{agency}"] td[data-measure="{measure}"] .verdict')
    assert cell, f"no {measure} cell for {agency}"
    return next(c for c in ("met", "miss", "none") if c in cell[0].get("class").split())
