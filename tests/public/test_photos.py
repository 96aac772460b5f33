"""Photos from citizens: checked by content, capped, re-encoded without metadata."""

from __future__ import annotations

import io
import zlib
from pathlib import Path

from PIL import Image
from sqlalchemy import select

from cc112.public.models import Photo

FORM = {"category": "kebakaran_bangunan", "description": "Rumah terbakar di dekat pasar", "region": "72.01.04"}
JSON = {"Accept": "application/json"}


def jpeg_with_gps() -> bytes:
    img = Image.new("RGB", (640, 480), (200, 60, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = {1: "S", 2: (0.0, 57.0, 7.2), 3: "E", 4: (122.0, 47.0, 16.8)}
    exif[0x8825] = gps  # GPSInfo
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def png_bomb() -> bytes:
    """A tiny PNG that claims 30000×30000 pixels (900 MP)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")
    header = (30000).to_bytes(4, "big") * 2 + bytes([8, 0, 0, 0, 0])
    raw = zlib.compress(b"\x00" * 30001 * 10)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


async def post(anon, data: bytes, name: str = "foto.jpg", ctype: str = "image/jpeg"):  # type: ignore[no-untyped-def]
    return await anon.post("/lapor", data=FORM, files={"photo": (name, data, ctype)}, headers=JSON)


async def test_a_photo_is_stored_outside_the_web_root_without_location_metadata(app, anon, settings):
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get(0x8825)  # the original carries GPS
    r = await post(anon, original)
    assert r.status_code == 201, r.text
    async with app.state.db.session() as s:
        photo = (await s.scalars(select(Photo))).one()
    stored = Path(settings.data_dir) / "uploads" / photo.stored_name
    assert stored.exists() and "foto" not in photo.stored_name
    cleaned = Image.open(stored)
    assert cleaned.format == "JPEG"
    assert dict(cleaned.getexif()) == {}
    assert b"PhoneMaker" not in stored.read_bytes()
    assert (await anon.get(f"/static/{photo.stored_name}")).status_code == 404


async def test_png_and_webp_are_accepted(anon):
    for fmt, ctype in (("PNG", "image/png"), ("WEBP", "image/webp")):
        out = io.BytesIO()
        Image.new("RGB", (300, 200), (10, 120, 40)).save(out, format=fmt)
        r = await post(anon, out.getvalue(), f"foto.{fmt.lower()}", ctype)
        assert r.status_code == 201, (fmt, r.text)


async def test_an_oversized_photo_is_refused_with_a_clear_message(anon):
    r = await post(anon, b"\xff\xd8\xff" + b"0" * (11 * 1024 * 1024))
    assert r.status_code == 413
    assert "larger than" in r.json()["error"]["message"]


async def test_a_polyglot_file_is_refused(anon):
    jpeg = io.BytesIO()
    Image.new("RGB", (64, 64)).save(jpeg, format="JPEG")
    polyglot = jpeg.getvalue() + b"PK\x03\x04" + b"<script>alert(1)</script>" * 40
    r = await post(anon, polyglot)
    assert r.status_code == 422
    assert "extra data" in r.json()["error"]["message"]


async def test_a_decompression_bomb_is_refused(anon):
    r = await post(anon, png_bomb(), "bomb.png", "image/png")
    assert r.status_code == 422
    assert "pixels" in r.json()["error"]["message"]


async def test_a_traversal_filename_is_refused(anon):
    r = await post(anon, jpeg_with_gps(), "../../etc/cron.d/evil.jpg")
    assert r.status_code == 422
    assert "path" in r.json()["error"]["message"]


async def test_a_file_that_is_not_an_image_is_refused_whatever_its_name(anon):
    r = await post(anon, b"<?php system($_GET['c']); ?>", "foto.jpg")
    assert r.status_code == 422
    assert "JPEG, PNG or WebP" in r.json()["error"]["message"]
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, format="GIF")
    r = await post(anon, gif.getvalue(), "foto.jpg")
    assert r.status_code == 422


async def test_the_form_without_javascript_redirects_to_the_tracking_page(anon):
    r = await anon.post("/lapor", data=FORM)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/lacak/BGI-")
    page = await anon.get(r.headers["location"])
    assert page.status_code == 200
    assert "Diterima, menunggu verifikasi operator" in page.text


async def test_the_form_shows_what_is_missing(anon):
    r = await anon.post("/lapor", data={"category": "kebakaran_bangunan", "description": ""})
    assert r.status_code == 422
    assert "Laporan belum terkirim" in r.text
