"""The public Atom feed: well-formed Atom 1.0, newest first, every entry linking to its CAP message."""

from __future__ import annotations

from datetime import timedelta

import pytest
from lxml import etree

from cc112 import clock
from tests.alerts.conftest import ATOM_NS, FLOOD, NS, approve, compose, text

pytestmark = pytest.mark.anyio


async def _feed(anon, **params):  # type: ignore[no-untyped-def]
    response = await anon.get("/alerts/feed.atom", params=params)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    return etree.fromstring(response.content)


async def test_the_feed_is_well_formed_atom_with_the_newest_alert_first(supervisor, supervisor2, anon, cap_schema):
    first = await approve(supervisor2, await compose(supervisor))
    clock.travel(timedelta(minutes=5))
    second = await approve(supervisor2, await compose(
        supervisor, info=[{**FLOOD["info"][0], "headline": "Banjir meluas ke Kecamatan Luwuk Timur"}]))

    feed = await _feed(anon)
    assert feed.tag == f"{{{ATOM_NS}}}feed"
    for required in ("atom:id", "atom:title", "atom:updated", "atom:author/atom:name"):
        assert text(feed, required), required
    self_link = feed.find("atom:link[@rel='self']", NS)
    assert self_link is not None and self_link.get("href", "").endswith("/alerts/feed.atom")
    assert text(feed, "atom:updated") == second["sent"]

    entries = feed.findall("atom:entry", NS)
    assert [text(e, "atom:title") for e in entries] == [
        "Banjir meluas ke Kecamatan Luwuk Timur", FLOOD["info"][0]["headline"]]
    ids = set()
    for entry, alert in zip(entries, (second, first), strict=True):
        for required in ("atom:id", "atom:title", "atom:updated", "atom:summary"):
            assert text(entry, required), required
        assert text(entry, "atom:updated") == alert["sent"]
        link = entry.find("atom:link[@rel='alternate']", NS)
        assert link is not None and link.get("type") == "application/cap+xml"
        href = link.get("href", "")
        assert href.endswith(f"/alerts/cap/{alert['identifier']}.xml")
        ids.add(text(entry, "atom:id"))
        cap = await anon.get(href)  # the link leads to the valid CAP message
        assert cap.status_code == 200
        assert cap_schema.validate(etree.fromstring(cap.content))
    assert len(ids) == 2


async def test_exercise_alerts_are_marked_and_can_be_left_out(supervisor, supervisor2, anon):
    real = await approve(supervisor2, await compose(supervisor))
    drill = await approve(supervisor2, await compose(supervisor, status="Exercise"))
    titles = [text(e, "atom:title") for e in (await _feed(anon)).findall("atom:entry", NS)]
    assert titles[0] == "[LATIHAN] " + FLOOD["info"][0]["headline"]

    def linked(entries):  # type: ignore[no-untyped-def]
        return [e.find("atom:link", NS).get("href").rsplit("/", 1)[1] for e in entries]

    only_real = (await _feed(anon, exercise="false")).findall("atom:entry", NS)
    assert linked(only_real) == [f"{real['identifier']}.xml"]
    only_drills = (await _feed(anon, exercise="true")).findall("atom:entry", NS)
    assert linked(only_drills) == [f"{drill['identifier']}.xml"]


async def test_updates_and_cancellations_say_so_in_the_feed(supervisor, supervisor2, anon):
    original = await approve(supervisor2, await compose(supervisor))
    await approve(supervisor2, await compose(supervisor, {"msg_type": "Cancel", "references": original["identifier"],
                                                          "note": "Air sudah surut"}))
    titles = [text(e, "atom:title") for e in (await _feed(anon)).findall("atom:entry", NS)]
    assert titles == ["DIBATALKAN: " + FLOOD["info"][0]["headline"], FLOOD["info"][0]["headline"]]


async def test_the_feed_filters_by_jurisdiction(supervisor, supervisor2, anon):
    await approve(supervisor2, await compose(supervisor))
    assert len((await _feed(anon, jurisdiction="72.01")).findall("atom:entry", NS)) == 1
    assert (await _feed(anon, jurisdiction="72.71")).findall("atom:entry", NS) == []


async def test_an_empty_feed_is_still_valid_atom(anon):
    feed = await _feed(anon)
    assert feed.findall("atom:entry", NS) == []
    assert text(feed, "atom:updated")
