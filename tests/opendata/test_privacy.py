"""Nothing personal and no exact place in any public output; valid GeoJSON; the licence everywhere."""

from __future__ import annotations

import json

import h3
from sqlalchemy import select

from cc112.geo.models import Region
from tests.opendata.conftest import CATALOGUE, SECRETS, every_public_output, get_json, parse_csv

BANGGAI_BOX = (-1.8, -0.4, 121.8, 123.6)  # lat min, lat max, lon min, lon max


async def test_no_number_name_staff_account_or_typed_text_appears_anywhere(history, anon):
    outputs = await every_public_output(anon, history.month)
    anon.cookies.set("cc112_lang", "en")
    outputs |= {
        f"{path} (en)": body
        for path, body in (await every_public_output(anon, history.month)).items()
        if not path.startswith("/opendata/") or path == "/opendata/"
    }
    text = "\n".join(outputs.values())
    assert "Luwuk" in text and "kebakaran_bangunan" in text, "the outputs are about this history"
    for path, body in outputs.items():
        for secret in SECRETS:
            assert secret.lower() not in body.lower(), (secret, path)


async def test_no_incident_position_appears_only_centroids_and_hexagons(app, history, anon):
    outputs = await every_public_output(anon, history.month)
    for path, body in outputs.items():
        for lat, lon in history.positions:
            for digits in (6, 5):
                for value in (lat, lon):
                    assert f"{value:.{digits}f}" not in body, (value, digits, path)
    async with app.state.db.session() as session:
        centroids = {
            (round(r.lon, 3), round(r.lat, 3))
            for r in await session.scalars(select(Region).where(Region.level == "kecamatan"))
        }
    for path, body in outputs.items():
        if "geojson" not in path:
            continue
        for feature in json.loads(body)["features"]:
            geometry = feature["geometry"]
            if geometry["type"] == "Point":
                assert tuple(geometry["coordinates"]) in centroids, path
            else:
                cell = feature["properties"]["h3_cell"]
                vertices = {(round(lon, 5), round(lat, 5)) for lat, lon in h3.cell_to_boundary(cell)}
                assert {tuple(p) for p in geometry["coordinates"][0]} == vertices, path
    for path, body in outputs.items():  # CSV/JSON rows: only centroid or cell-centre columns
        if path.startswith("/opendata/hotspots") and "geojson" not in path:
            rows = parse_csv(body) if ".csv" in path else json.loads(body)["rows"]
            for row in rows:
                lat, lon = h3.cell_to_latlng(row["h3_cell"])
                assert (float(row["cell_lat"]), float(row["cell_lon"])) == (round(lat, 5), round(lon, 5))


def check_geojson(collection: dict, kind: str) -> None:
    assert collection["type"] == "FeatureCollection" and collection["features"], collection.get("name")
    for feature in collection["features"]:
        assert feature["type"] == "Feature" and isinstance(feature["properties"], dict)
        geometry = feature["geometry"]
        assert geometry["type"] == kind
        points = [geometry["coordinates"]] if kind == "Point" else geometry["coordinates"][0]
        if kind == "Polygon":
            assert len(geometry["coordinates"]) == 1 and len(points) >= 4 and points[0] == points[-1]
            area = sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(points, points[1:], strict=False)) / 2
            assert area > 0, "exterior ring counter-clockwise (RFC 7946)"
        for lon, lat in points:  # [lon, lat]: Banggai is at about 122.8° E, 0.9° S
            assert BANGGAI_BOX[0] < lat < BANGGAI_BOX[1] and BANGGAI_BOX[2] < lon < BANGGAI_BOX[3], (lon, lat)


async def test_geojson_is_valid_with_kecamatan_points_and_h3_polygons(history, anon):
    for query in ({}, {"month": history.month}):
        kecamatan = await anon.get("/opendata/incidents-by-kecamatan.geojson", params=query)
        assert kecamatan.headers["content-type"].startswith("application/geo+json")
        check_geojson(kecamatan.json(), "Point")
        assert len(kecamatan.json()["features"]) == 24, "every kecamatan, also those with nothing"
        hotspots = await anon.get("/opendata/hotspots.geojson", params=query)
        check_geojson(hotspots.json(), "Polygon")
        for feature in hotspots.json()["features"]:
            assert h3.get_resolution(feature["properties"]["h3_cell"]) == 7
            assert feature["properties"]["count"] >= 5, "small hexagons are left out"


async def test_every_download_names_the_licence_and_the_dictionary_and_is_cacheable(history, anon):
    for name in CATALOGUE:
        for fmt in ("csv", "json", "geojson"):
            response = await anon.get(f"/opendata/{name}.{fmt}")
            if fmt == "geojson" and name not in ("incidents-by-kecamatan", "hotspots"):
                assert response.status_code == 422
                continue
            assert response.status_code == 200, (name, fmt)
            assert (
                'rel="license"' in response.headers["link"]
                and "creativecommons.org/licenses/by/4.0" in response.headers["link"]
            )
            assert "max-age" in response.headers["cache-control"] and "public" in response.headers["cache-control"]
            if fmt == "csv":
                assert response.text.startswith("#") and "CC BY 4.0" in response.text.splitlines()[0]
                assert "attachment" in response.headers["content-disposition"]
            else:
                body = response.json()
                assert body["licence"]["name"] == "CC BY 4.0" and body["dictionary"].startswith(
                    "/opendata/dictionary.json"
                )
    dictionary = await get_json(anon, "/opendata/dictionary.json")
    assert dictionary["licence"]["name"] == "CC BY 4.0" and dictionary["suppression"]["min_cell"] == 5
    assert "complementary" in dictionary["suppression"]["rule"]["en"].lower()
    index = await get_json(anon, "/opendata/index.json")
    assert {d["name"] for d in index["datasets"]} == set(CATALOGUE)
    page = await anon.get("/opendata/")
    assert "CC BY 4.0" in page.text and "incidents-monthly-by-type-kecamatan.csv" in page.text


async def test_the_dictionary_describes_every_field_of_every_download(history, anon):
    dictionary = {d["name"]: d for d in (await get_json(anon, "/opendata/dictionary.json"))["datasets"]}
    for name in CATALOGUE:
        described = {f["name"] for f in dictionary[name]["fields"]}
        assert all(f["description"] and f["description_en"] for f in dictionary[name]["fields"])
        header = parse_csv((await anon.get(f"/opendata/{name}.csv")).text)[0].keys()
        assert set(header) == described, name
        rows = (await get_json(anon, f"/opendata/{name}.json"))["rows"]
        assert set(rows[0]) == described, name


async def test_sensitive_types_are_published_only_as_one_group(history, anon):
    rows = (await get_json(anon, "/opendata/incidents-monthly-by-type-kecamatan.json", month=history.month))["rows"]
    codes = {r["type_code"] for r in rows}
    assert "sensitif" in codes and "kdrt" not in codes
    text = (await anon.get("/transparansi")).text
    assert "Kekerasan dalam rumah tangga" not in text
