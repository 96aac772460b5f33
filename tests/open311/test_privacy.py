"""What Open311 publishes: no reporter's data anywhere, sensitive reports coarse and wordless."""

from __future__ import annotations

from sqlalchemy import select

from cc112.geo.models import Region
from cc112.public.models import PublicTicket
from tests.conftest import LUWUK_FIRE
from tests.open311.conftest import BASE, both, check_request, file

PERSON = {"phone": "0812-9753-1864", "first_name": "Siti", "last_name": "Rahmawati",
          "email": "siti.rahmawati@example.org", "device_id": "device-7f3a9", "account_id": "akun-5521"}
# What must never show: the name, the e-mail, the device and account, and the number in any form.
SECRETS = ("Rahmawati", "siti.rahmawati", "example.org", "device-7f3a9", "akun-5521", "97531864", "9753-1864",
           "9753 1864")


async def every_public_answer(client, tickets: list[str], tokens: list[str]) -> str:  # type: ignore[no-untyped-def]
    """The text of every Open311 GET answer about these requests, in both formats."""
    paths = ["discovery", "services", "services/kdrt", "requests", "servicerequestupdates"]
    paths += [f"requests/{t}" for t in tickets] + [f"tokens/{t}" for t in tokens]
    bodies = []
    for path in paths:
        for fmt in ("json", "xml"):
            response = await client.get(f"{BASE}/{path}.{fmt}")
            assert response.status_code == 200, (path, response.text)
            bodies.append(response.text)
    return "\n".join(bodies)


async def test_the_reporters_details_never_appear_in_any_answer(app, anon, operator):
    fire = await file(anon, **PERSON)
    kdrt = await file(anon, service_code="kdrt", description="Tetangga dipukul suaminya", **PERSON)
    tickets = [fire["service_request_id"], kdrt["service_request_id"]]
    incident = (await operator.get("/api/v1/incidents", params={"q": tickets[0]})).json()["items"][0]
    await operator.post(f"/api/v1/incidents/{incident['id']}/dispatch", json={"agencies": ["DAMKAR"]})
    text = await every_public_answer(anon, tickets, [fire["token"], kdrt["token"]])
    assert tickets[0] in text and "Gudang kopra" in text, "the answers are about these reports"
    for secret in SECRETS:
        assert secret not in text, secret
    async with app.state.db.session() as session:  # kept for updates to the reporter, not published
        numbers = set(await session.scalars(select(PublicTicket.reporter_number)))
    assert numbers == {"+6281297531864"}


async def test_numbers_and_addresses_typed_into_a_description_are_masked(anon):
    receipt = await file(anon, description="Sejak 2026-11-28 pukul 10.30, rumah nomor 12. Hubungi saya "
                                           "0812 9753 1864, +62 461 21234 atau siti@example.org")
    (row,) = await both(anon, f"requests/{receipt['service_request_id']}", root="service_requests")
    assert row["description"] == ("Sejak 2026-11-28 pukul 10.30, rumah nomor 12. Hubungi saya "
                                  "[nomor disembunyikan], [nomor disembunyikan] atau [email disembunyikan]")


async def test_a_sensitive_report_has_no_address_no_words_and_only_the_kecamatan_centroid(app, anon):
    receipt = await file(anon, service_code="kdrt", description="Ibu R. dipukul suaminya di rumah",
                         address_string="Jl. Melati 4, Luwuk", lat="-0.95123", long="122.78765")
    (row,) = await both(anon, f"requests/{receipt['service_request_id']}", root="service_requests")
    check_request(row)
    async with app.state.db.session() as session:
        luwuk = await session.scalar(select(Region).where(Region.code == "72.01.04"))
    assert luwuk is not None
    assert row["address"] is None and row["zipcode"] is None and row["address_id"] == "72.01.04"
    assert (row["lat"], row["long"]) == (round(luwuk.lat, 3), round(luwuk.lon, 3))
    assert "dipukul" not in row["description"] and "Melati" not in str(row)
    assert row["description"].startswith("Laporan Kekerasan dalam rumah tangga")
    assert row["agency_responsible"] == "Polres Banggai"


async def test_a_call_takers_description_is_not_published(operator, anon):
    made = (await operator.post("/api/v1/incidents", json={
        **LUWUK_FIRE, "description": "Pelapor Pak Budi (0812 1111 2222), istrinya terjebak"})).json()
    (row,) = await both(anon, f"requests/{made['ticket']}", root="service_requests")
    check_request(row)
    assert row["description"] == "Kebakaran bangunan, Kec. Luwuk."
    assert row["address"] == "Jl. Ahmad Yani, Luwuk, Kec. Luwuk, Kabupaten Banggai"
    assert "Budi" not in str(row) and "1111" not in str(row)


async def test_positions_are_rounded_to_about_100_m(anon):
    receipt = await file(anon, lat="-0.95149", long="122.78751")
    (row,) = await both(anon, "requests", root="service_requests", service_request_id=receipt["service_request_id"])
    assert (row["lat"], row["long"]) == (-0.951, 122.788)
    assert "0.95149" not in str(row) and "78751" not in str(row)
