"""Open311 discovery, service list and service definitions, in JSON and XML, with their errors."""

from __future__ import annotations

from sqlalchemy import update

from cc112.catalog.models import IncidentType
from tests.open311.conftest import BASE, SERVICE_FIELDS, assert_errors, both


async def test_discovery_names_this_endpoint_its_formats_and_that_no_key_is_needed(anon):
    doc = await both(anon, "discovery", root="discovery")
    assert set(doc) == {"changeset", "contact", "key_service", "endpoints"}
    assert "112" in doc["contact"] and "No API key is needed" in doc["key_service"]
    (endpoint,) = doc["endpoints"]
    assert endpoint == {"specification": "http://wiki.open311.org/GeoReport_v2", "url": "http://cc112.test/open311/v2",
                        "changeset": doc["changeset"], "type": "test", "formats": ["text/xml", "application/json"]}


async def test_the_service_list_is_the_public_incident_types_with_every_field(anon):
    services = await both(anon, "services", root="services")
    by_code = {s["service_code"]: s for s in services}
    assert {"kebakaran_bangunan", "banjir", "kdrt", "kegawatan_medis"} <= set(by_code)
    for service in services:
        assert tuple(service) == SERVICE_FIELDS
        assert service["metadata"] is True and service["type"] == "realtime"
        assert all(isinstance(service[k], str) and service[k] for k in ("service_name", "description", "group"))
    fire = by_code["kebakaran_bangunan"]
    assert fire["service_name"] == "Kebakaran bangunan" and fire["group"] == "Fire"
    assert "Structure fire" in fire["description"] and "telepon 112" in fire["description"]
    assert "kebakaran" in fire["keywords"].split(", ")


async def test_the_jurisdiction_code_is_accepted_and_another_one_is_not_found(anon):
    ours = await both(anon, "services", root="services", jurisdiction_id="72.01")
    assert len(ours) == len(await both(anon, "services", root="services"))
    for fmt in ("json", "xml"):
        other = await anon.get(f"{BASE}/services.{fmt}", params={"jurisdiction_id": "72.71"})
        assert_errors(other, 404, "jurisdiction_id", "72.01")


async def test_a_type_taken_off_the_public_list_is_not_offered(app, anon):
    async with app.state.db.session_scope() as session:
        await session.execute(update(IncidentType).where(IncidentType.code == "banjir").values(is_public=False))
    codes = {s["service_code"] for s in await both(anon, "services", root="services")}
    assert "banjir" not in codes and "kebakaran_bangunan" in codes
    assert_errors(await anon.get(f"{BASE}/services/banjir.json"), 404, "banjir")


async def test_a_service_definition_lists_its_attributes(anon):
    definition = await both(anon, "services/banjir", root="service_definition")
    assert definition["service_code"] == "banjir"
    attributes = {a["code"]: a for a in definition["attributes"]}
    assert list(attributes) == ["people_involved", "landmark", "kecamatan"]
    for order, attribute in enumerate(definition["attributes"], start=1):
        assert set(attribute) == {"variable", "code", "datatype", "required", "datatype_description", "order",
                                  "description", "values"}
        assert attribute["order"] == order and attribute["variable"] is True and attribute["required"] is False
    assert attributes["people_involved"]["datatype"] == "number"
    kecamatan = attributes["kecamatan"]
    assert kecamatan["datatype"] == "singlevaluelist"
    assert {"key": "72.01.04", "name": "Luwuk"} in kecamatan["values"] and len(kecamatan["values"]) == 24


async def test_an_unknown_service_code_is_not_found_in_the_spec_error_format(anon):
    for fmt in ("json", "xml"):
        assert_errors(await anon.get(f"{BASE}/services/pothole.{fmt}"), 404, "service_code", "pothole")
        assert_errors(await anon.get(f"{BASE}/services/banjir.{fmt}", params={"jurisdiction_id": "x"}), 404,
                      "jurisdiction_id")


async def test_unknown_formats_paths_and_methods_answer_with_spec_errors(anon):
    assert_errors(await anon.get(f"{BASE}/services.csv"), 404, "format")
    assert_errors(await anon.get(f"{BASE}/services"), 404, "discovery.xml")
    assert_errors(await anon.get(f"{BASE}/nothing.json"), 404, "no Open311 resource")
    wrong = await anon.delete(f"{BASE}/requests.json")
    assert_errors(wrong, 405, "DELETE")
    assert wrong.headers["allow"] == "POST, GET"
    assert_errors(await anon.post(f"{BASE}/services.xml"), 405)
