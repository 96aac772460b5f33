"""Open311 helpers: fetch an answer in JSON and XML, and check it against GeoReport v2's rules."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from lxml import etree

BASE = "/open311/v2"
W3_WITH_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$")
REQUEST_FIELDS = (
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
    "address", "address_id", "zipcode", "lat", "long", "media_url",
)
UPDATE_FIELDS = ("update_id", "service_request_id", "status", "updated_datetime", "description", "media_url")
SERVICE_FIELDS = ("service_code", "service_name", "description", "metadata", "type", "keywords", "group")
# A Luwuk fire filed through Open311 (form fields, as a GeoReport client sends them).
FIRE = {"service_code": "kebakaran_bangunan", "lat": "-0.951234", "long": "122.787654",
        "address_string": "Jl. Ahmad Yani 12, Luwuk", "description": "Gudang kopra terbakar, asap tebal"}


def client_from(app, ip: str) -> httpx.AsyncClient:  # type: ignore[no-untyped-def]
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(ip, 40000)), base_url="http://cc112.test")


WRAPPERS = ("services", "service_requests", "service_request_updates", "errors", "endpoints", "formats",
            "attributes", "values")


def xml_value(element: etree._Element) -> Any:
    """The Spark convention backwards: wrapper -> list, element with children -> dict, leaf -> text."""
    if element.tag in WRAPPERS:
        return [xml_value(c) for c in element]
    if len(element):
        return {c.tag: xml_value(c) for c in element}
    return element.text


def as_text(value: Any) -> Any:
    """JSON data as its XML text would read (numbers and booleans as strings, null as None)."""
    if isinstance(value, dict):
        return {k: as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_text(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    return None if value is None else str(value)


async def both(client: httpx.AsyncClient, path: str, *, root: str, http_status: int = 200,
               **params: Any) -> Any:
    """GET path.json and path.xml; check status, content types and that both say the same."""
    as_json = await client.get(f"{BASE}/{path}.json", params=params)
    as_xml = await client.get(f"{BASE}/{path}.xml", params=params)
    assert as_json.status_code == as_xml.status_code == http_status, (as_json.text, as_xml.text)
    assert as_json.headers["content-type"] == "application/json; charset=utf-8"
    assert as_xml.headers["content-type"] == "text/xml; charset=utf-8"
    assert as_xml.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<')
    tree = etree.fromstring(as_xml.content)
    assert tree.tag == root
    assert as_text(as_json.json()) == xml_value(tree), "JSON and XML disagree"
    return as_json.json()


async def post_both(client: httpx.AsyncClient, data: dict[str, str], *, status: int = 200,
                    **kwargs: Any) -> tuple[httpx.Response, httpx.Response]:
    first = await client.post(f"{BASE}/requests.json", data=data, **kwargs)
    second = await client.post(f"{BASE}/requests.xml", data=data, **kwargs)
    assert first.status_code == second.status_code == status, (first.text, second.text)
    return first, second


def assert_errors(response: httpx.Response, status: int, *needles: str) -> list[dict[str, Any]]:
    """The spec's error array (JSON or XML), its code equal to the HTTP status, naming each needle."""
    assert response.status_code == status, response.text
    if response.headers["content-type"].startswith("text/xml"):
        tree = etree.fromstring(response.content)
        assert tree.tag == "errors" and all(e.tag == "error" for e in tree)
        items = [{"code": int(e.findtext("code") or 0), "description": e.findtext("description")} for e in tree]
    else:
        items = response.json()
        assert isinstance(items, list)
    assert items and all(set(i) == {"code", "description"} and i["code"] == status for i in items), items
    text = " ".join(str(i["description"]) for i in items)
    for needle in needles:
        assert needle in text, (needle, text)
    return items


def check_request(row: dict[str, Any]) -> None:
    """GeoReport v2 rules for one service request (JSON)."""
    assert tuple(row) == REQUEST_FIELDS, "every field present, in the spec's order"
    assert row["status"] in ("open", "closed")
    for name in ("service_request_id", "service_name", "service_code", "description", "status_notes",
                 "service_notice"):
        assert isinstance(row[name], str) and row[name], name
    assert re.fullmatch(r"BGI-\d{8}-\d{4}", row["service_request_id"])
    for name in ("requested_datetime", "updated_datetime"):
        assert W3_WITH_OFFSET.match(row[name]), (name, row[name])
    assert row["expected_datetime"] is None or W3_WITH_OFFSET.match(row["expected_datetime"])
    assert row["updated_datetime"] >= row["requested_datetime"]
    for name in ("lat", "long"):
        assert row[name] is None or (isinstance(row[name], float) and round(row[name], 3) == row[name])
    assert len(row["description"]) <= 4000


def check_update(row: dict[str, Any]) -> None:
    assert tuple(row) == UPDATE_FIELDS
    assert row["status"] in ("open", "closed")
    assert row["update_id"].isdigit()
    assert W3_WITH_OFFSET.match(row["updated_datetime"])
    assert isinstance(row["description"], str) and row["description"]


async def file(client: httpx.AsyncClient, **fields: str) -> dict[str, Any]:
    """POST a request (JSON answer) and return its one receipt."""
    response = await client.post(f"{BASE}/requests.json", data={**FIRE, **fields})
    assert response.status_code == 200, response.text
    (receipt,) = response.json()
    return receipt  # type: ignore[no-any-return]


@pytest.fixture
async def filed(anon):  # type: ignore[no-untyped-def]
    """A fire filed through Open311."""
    return await file(anon)
