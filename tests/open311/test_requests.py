"""POST and GET service requests, tokens: the spec's fields, filters, errors; unverified reports."""

from __future__ import annotations

from datetime import datetime, timedelta

from lxml import etree
from sqlalchemy import select, update

from cc112 import clock
from cc112.catalog.models import IncidentType
from cc112.incidents.models import Incident
from cc112.public.models import PublicTicket
from tests.conftest import LUWUK_FIRE
from tests.open311.conftest import BASE, FIRE, assert_errors, both, check_request, client_from, file, post_both


async def test_a_post_files_an_unverified_report_and_answers_in_json_and_xml(app, anon, operator):
    as_json, as_xml = await post_both(anon, FIRE)
    (receipt,) = as_json.json()
    assert set(receipt) == {"service_request_id", "token", "service_notice", "account_id"}
    assert receipt["account_id"] is None and "Dinas Pemadam Kebakaran" in receipt["service_notice"]
    assert "telepon 112" in receipt["service_notice"]
    tree = etree.fromstring(as_xml.content)
    assert tree.tag == "service_requests" and [e.tag for e in tree] == ["request"]
    assert [e.tag for e in tree[0]] == ["service_request_id", "token", "service_notice", "account_id"]
    assert tree[0].find("account_id").text is None  # the spec's <account_id/>
    page = (await operator.get("/api/v1/incidents", params={"q": receipt["service_request_id"]})).json()
    (incident,) = page["items"]
    assert incident["status"] == "received" and incident["assignments"] == []
    async with app.state.db.session() as session:
        sources = set(await session.scalars(select(PublicTicket.source)))
    assert sources == {"open311"}


async def test_a_request_reads_back_with_every_spec_field(anon, filed):
    ticket = filed["service_request_id"]
    (row,) = await both(anon, f"requests/{ticket}", root="service_requests")
    check_request(row)
    assert row["service_request_id"] == ticket and row["status"] == "open"
    assert row["service_code"] == "kebakaran_bangunan" and row["service_name"] == "Kebakaran bangunan"
    assert row["description"] == FIRE["description"]
    assert row["status_notes"] == "Diterima, menunggu verifikasi operator"
    assert (row["lat"], row["long"]) == (-0.951, 122.788), "rounded to about 100 m, never the exact position"
    assert row["address"] == "Jl. Ahmad Yani 12, Luwuk, Kec. Luwuk, Kabupaten Banggai"
    assert row["address_id"] == "72.01.04" and row["zipcode"] is None and row["media_url"] is None


async def resolve_target(app, agency_code: str, priority: int) -> timedelta:  # type: ignore[no-untyped-def]
    from cc112.agencies.models import Agency, AgencyTarget

    async with app.state.db.session() as session:
        seconds = await session.scalar(select(AgencyTarget.resolve_seconds).join(Agency).where(
            Agency.code == agency_code, AgencyTarget.priority == priority).order_by(AgencyTarget.valid_from.desc()))
    return timedelta(seconds=seconds)


async def test_agency_and_expected_time_come_from_routing_then_from_the_assignments(app, operator, anon, filed):
    ticket = filed["service_request_id"]
    (before,) = await both(anon, f"requests/{ticket}", root="service_requests")
    assert before["agency_responsible"] == "Dinas Pemadam Kebakaran dan Penyelamatan"
    requested = datetime.fromisoformat(before["requested_datetime"])
    expected = datetime.fromisoformat(before["expected_datetime"])
    assert expected - requested == await resolve_target(app, "DAMKAR", 1)
    incident = (await operator.get("/api/v1/incidents", params={"q": ticket})).json()["items"][0]
    assert (await operator.post(f"/api/v1/incidents/{incident['id']}/verify")).status_code == 200
    # The supervisor makes BPBD the lead agency; PSC 119 supports (the routing rule's role).
    for body in ({"agency": "BPBD", "role": "primary"}, {"agency": "PSC119"}):
        made = await operator.post(f"/api/v1/incidents/{incident['id']}/assignments", json=body)
        assert made.status_code == 201, made.text
    (after,) = await both(anon, f"requests/{ticket}", root="service_requests")
    assert after["agency_responsible"] == "BPBD Kabupaten Banggai"
    assert after["status_notes"] == "Petugas sudah diminta menangani"
    assert datetime.fromisoformat(after["expected_datetime"]) - requested == await resolve_target(app, "BPBD", 1)


async def test_attributes_and_other_locations_are_used(app, anon):
    by_kecamatan = await file(anon, lat="", long="", address_string="", **{
        "attribute[kecamatan]": "72.01.01", "attribute[people_involved]": "3", "attribute[landmark]": "Masjid Raya"})
    by_code = await file(anon, lat="", long="", address_string="", address_id="72.01.04")
    by_name = await file(anon, lat="", long="", address_string="Jl. Trans Sulawesi, Kintom")
    async with app.state.db.session() as session:
        rows = {i.ticket: i for i in await session.scalars(select(Incident))}
    first = rows[by_kecamatan["service_request_id"]]
    assert (first.people_involved, first.landmark) == (3, "Masjid Raya")
    (row,) = await both(anon, f"requests/{by_kecamatan['service_request_id']}", root="service_requests")
    assert row["address_id"] == "72.01.01" and row["address"] == "Kec. Batui, Kabupaten Banggai"
    (row,) = await both(anon, f"requests/{by_code['service_request_id']}", root="service_requests")
    assert row["address_id"] == "72.01.04" and (row["lat"], row["long"]) == (-0.91, 122.776)
    (row,) = await both(anon, f"requests/{by_name['service_request_id']}", root="service_requests")
    assert row["address"].endswith("Kec. Kintom, Kabupaten Banggai")


async def test_a_desa_address_id_gives_its_postal_code(app, anon):
    from cc112.geo.models import Region

    async with app.state.db.session() as session:
        desa = await session.scalar(select(Region).where(Region.parent_code == "72.01.04",
                                                         Region.postal_code.is_not(None)).order_by(Region.code))
    assert desa is not None
    receipt = await file(anon, lat="", long="", address_id=desa.code)
    (row,) = await both(anon, f"requests/{receipt['service_request_id']}", root="service_requests")
    assert row["address_id"] == desa.code and row["zipcode"] == desa.postal_code
    assert desa.name in row["address"]


async def test_missing_or_wrong_fields_are_400_with_one_error_each(anon):
    cases = [
        ({"service_code": ""}, ["service_code was not provided"]),
        ({"lat": "", "long": "", "address_string": ""}, ["a location is required"]),
        ({"long": ""}, ["both lat and long"]),
        ({"lat": "north", "long": "999"}, ["lat must be", "long must be"]),
        ({"phone": "12"}, ["phone is not a phone number"]),
        ({"attribute[people_involved]": "many", "attribute[kecamatan]": "99"},
         ["attribute[people_involved]", "attribute[kecamatan]"]),
        ({"description": "x" * 2001}, ["description is limited"]),
        ({"lat": "", "long": "", "address_string": "dekat pasar"}, ["address_string does not name a kecamatan"]),
        ({"lat": "", "long": "", "address_id": "72.99"}, ["address_id must be"]),
    ]
    for fields, needles in cases:
        as_json, as_xml = await post_both(anon, {**FIRE, **fields}, status=400)
        assert len(assert_errors(as_json, 400, *needles)) == len(needles), fields
        assert_errors(as_xml, 400, *needles)


async def test_an_unknown_service_code_or_jurisdiction_is_404(anon):
    as_json, as_xml = await post_both(anon, {**FIRE, "service_code": "pothole"}, status=404)
    assert_errors(as_json, 404, "service_code", "pothole")
    assert_errors(as_xml, 404, "service_code")
    as_json, _ = await post_both(anon, {**FIRE, "jurisdiction_id": "sfgov.org"}, status=404)
    assert_errors(as_json, 404, "jurisdiction_id")
    assert (await anon.post(f"{BASE}/requests.json", data={**FIRE, "jurisdiction_id": "72.01"})).status_code == 200


async def test_a_json_body_or_a_file_is_not_a_georeport_post(anon):
    assert_errors(await anon.post(f"{BASE}/requests.json", json=FIRE), 400, "service_code was not provided")
    upload = await anon.post(f"{BASE}/requests.xml", data=FIRE, files={"media": ("a.jpg", b"\xff\xd8", "image/jpeg")})
    assert_errors(upload, 400, "x-www-form-urlencoded")


async def test_a_short_description_is_completed_and_the_api_key_and_media_url_are_ignored(anon):
    receipt = await file(anon, description="", api_key="anything", media_url="http://example.org/a.jpg")
    (row,) = await both(anon, f"requests/{receipt['service_request_id']}", root="service_requests")
    assert row["description"] == "Kebakaran bangunan (dilaporkan melalui Open311)"
    assert row["media_url"] is None


async def test_markup_and_control_characters_stay_well_formed_in_both_formats(anon):
    receipt = await file(anon, description="Api & asap <besar>\x0b\x1b di \"gudang\"\nbaris dua",
                         address_string="Jl. A & B <Luwuk>\x0c")
    (row,) = await both(anon, f"requests/{receipt['service_request_id']}", root="service_requests")
    assert row["description"] == 'Api & asap <besar> di "gudang"\nbaris dua'
    assert row["address"].startswith("Jl. A & B <Luwuk>, Kec. Luwuk")


async def test_a_retry_with_the_same_idempotency_key_files_once(app, anon):
    headers = {"Idempotency-Key": "open311-retry-0001"}
    first = await anon.post(f"{BASE}/requests.json", data=FIRE, headers=headers)
    again = await anon.post(f"{BASE}/requests.xml", data=FIRE, headers=headers)
    assert first.status_code == again.status_code == 200
    assert etree.fromstring(again.content).findtext("request/service_request_id") == \
        first.json()[0]["service_request_id"]
    other = await anon.post(f"{BASE}/requests.json", data={**FIRE, "description": "lain"}, headers=headers)
    assert_errors(other, 400, "Idempotency-Key")
    refused = await anon.post(f"{BASE}/requests.json", data={**FIRE, "service_code": ""},
                              headers={"Idempotency-Key": "open311-retry-0002"})
    assert refused.status_code == 400
    # The refused post left no claim on its key: a corrected retry with the same key goes through.
    fixed = await anon.post(f"{BASE}/requests.json", data=FIRE, headers={"Idempotency-Key": "open311-retry-0002"})
    assert fixed.status_code == 200, fixed.text
    async with app.state.db.session() as session:
        assert len(list(await session.scalars(select(Incident.id)))) == 2


async def test_filing_is_rate_limited_per_network_in_the_spec_error_format(app):
    async with client_from(app, "10.11.12.13") as client:
        for _ in range(10):
            assert (await client.post(f"{BASE}/requests.json", data=FIRE)).status_code == 200
        limited = await client.post(f"{BASE}/requests.xml", data=FIRE)
        assert_errors(limited, 429, "too many reports")
        assert int(limited.headers["retry-after"]) >= 1
        assert (await client.get(f"{BASE}/requests.json")).status_code == 200, "reading is not limited by filing"


async def test_a_token_resolves_to_its_request(anon, filed):
    token = filed["token"]
    rows = await both(anon, f"tokens/{token}", root="service_requests")
    assert rows == [{"service_request_id": filed["service_request_id"], "token": token}]
    for fmt in ("json", "xml"):
        assert_errors(await anon.get(f"{BASE}/tokens/{token[:-1]}0.{fmt}"), 404, "token")
        assert_errors(await anon.get(f"{BASE}/tokens/nothing.{fmt}"), 404, "token")


async def test_an_unknown_request_is_404(anon):
    for fmt in ("json", "xml"):
        assert_errors(await anon.get(f"{BASE}/requests/BGI-20000101-0001.{fmt}"), 404, "BGI-20000101-0001")
        assert_errors(await anon.get(f"{BASE}/requests/BGI-1.{fmt}", params={"jurisdiction_id": "72.71"}), 404,
                      "jurisdiction_id")


async def test_the_list_filters_by_id_code_and_status(operator, anon):
    fire = await file(anon)
    flood = await file(anon, service_code="banjir", description="Air setinggi lutut")
    made = (await operator.post("/api/v1/incidents", json=LUWUK_FIRE)).json()
    cancelled = await operator.post(f"/api/v1/incidents/{made['id']}/cancel", json={"reason": "laporan palsu"})
    assert cancelled.status_code == 200, cancelled.text
    everything = await both(anon, "requests", root="service_requests")
    for row in everything:
        check_request(row)
    ids = [r["service_request_id"] for r in everything]
    assert ids == [made["ticket"], flood["service_request_id"], fire["service_request_id"]], "newest first"
    closed = await both(anon, "requests", root="service_requests", status="closed")
    assert [r["service_request_id"] for r in closed] == [made["ticket"]]
    assert closed[0]["status_notes"] == "Dibatalkan" and "palsu" not in str(closed)
    assert len(await both(anon, "requests", root="service_requests", status="open,closed")) == 3
    floods = await both(anon, "requests", root="service_requests", service_code="banjir,kdrt")
    assert [r["service_request_id"] for r in floods] == [flood["service_request_id"]]
    picked = await both(anon, "requests", root="service_requests", status="closed",
                        service_request_id=f"{fire['service_request_id']},{flood['service_request_id'].lower()},BGI-X")
    assert {r["service_request_id"] for r in picked} == {fire["service_request_id"], flood["service_request_id"]}
    assert_errors(await anon.get(f"{BASE}/requests.json", params={"status": "pending"}), 400, "status")


async def test_the_list_covers_90_days_by_default_and_refuses_bad_dates(anon):
    old = await file(anon)
    clock.travel(timedelta(days=100))
    recent = await file(anon)
    default = await both(anon, "requests", root="service_requests")
    assert [r["service_request_id"] for r in default] == [recent["service_request_id"]]
    (row,) = await both(anon, f"requests/{old['service_request_id']}", root="service_requests")
    start = datetime.fromisoformat(row["requested_datetime"]) - timedelta(minutes=1)
    window = await both(anon, "requests", root="service_requests", start_date=start.isoformat(),
                        end_date=(start + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert [r["service_request_id"] for r in window] == [old["service_request_id"]]
    from_start = await both(anon, "requests", root="service_requests", start_date=start.isoformat())
    assert [r["service_request_id"] for r in from_start] == [old["service_request_id"]], "start + 90 days"
    day = row["requested_datetime"][:10]
    assert len(await both(anon, "requests", root="service_requests", start_date=day, end_date=day)) == 1
    bad = [({"start_date": "yesterday"}, "start_date"), ({"end_date": "2026-11-28T10:00:00"}, "time zone"),
           ({"start_date": "2026-02-30"}, "start_date"),
           ({"start_date": "2026-11-28T00:00:00Z", "end_date": "2026-11-01T00:00:00Z"}, "after end_date"),
           ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, "90 days")]
    for params, needle in bad:
        for fmt in ("json", "xml"):
            assert_errors(await anon.get(f"{BASE}/requests.{fmt}", params=params), 400, needle)


async def test_exercises_and_non_public_types_are_never_listed(app, operator, anon):
    drill = await operator.post("/api/v1/incidents", json={**LUWUK_FIRE, "is_exercise": True})
    flood = await file(anon, service_code="banjir")
    fire = await file(anon)
    async with app.state.db.session_scope() as session:
        await session.execute(update(IncidentType).where(IncidentType.code == "banjir").values(is_public=False))
    listed = [r["service_request_id"] for r in await both(anon, "requests", root="service_requests")]
    assert listed == [fire["service_request_id"]]
    for ticket in (drill.json()["ticket"], flood["service_request_id"]):
        assert_errors(await anon.get(f"{BASE}/requests/{ticket}.json"), 404)
    assert await both(anon, "servicerequestupdates", root="service_request_updates",
                      service_request_id=drill.json()["ticket"]) == []
