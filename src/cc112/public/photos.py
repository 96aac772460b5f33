"""Report photos: checked by content, size and pixel count, re-encoded without metadata."""

from __future__ import annotations

import hashlib
import io
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from cc112.errors import Invalid, TooLarge

ALLOWED = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
FIELD = "photo"


@dataclass
class CleanPhoto:
    data: bytes
    width: int
    height: int
    sha256: str
    content_type: str = "image/jpeg"


def check_filename(name: str | None) -> None:
    """Names are never used for storage, but a path in one is a sign of an attack: refuse it."""
    if name and ("/" in name or "\\" in name or ".." in name or "\x00" in name):
        raise Invalid("the file name must not contain a path; rename the photo and try again", field=FIELD)


def _trailing_bytes(data: bytes, fmt: str) -> int:
    """Bytes after the image's own end marker (polyglot files hide a second file there)."""
    if fmt == "JPEG":
        end = data.rfind(b"\xff\xd9")
        return len(data) - (end + 2) if end >= 0 else len(data)
    if fmt == "PNG":
        end = data.rfind(b"IEND")
        return len(data) - (end + 8) if end >= 0 else len(data)
    if fmt == "WEBP" and data[:4] == b"RIFF":
        return len(data) - (int.from_bytes(data[4:8], "little") + 8)
    return 0


def clean(data: bytes, *, max_bytes: int, max_pixels: int) -> CleanPhoto:
    """Validate and re-encode; raise Invalid/TooLarge with a message a citizen can act on."""
    if len(data) > max_bytes:
        raise TooLarge(f"the photo is larger than {max_bytes // (1024 * 1024)} MB; send a smaller one", field=FIELD)
    if not data:
        raise Invalid("the photo file is empty", field=FIELD)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                fmt = probe.format or ""
                width, height = probe.size
                if fmt not in ALLOWED:
                    raise Invalid("only JPEG, PNG or WebP photos are accepted", field=FIELD)
                if width * height > max_pixels:
                    raise Invalid(f"the photo has too many pixels ({width}×{height}); send a smaller one", field=FIELD)
                probe.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Invalid("the photo has too many pixels; send a smaller one", field=FIELD)
    except (OSError, SyntaxError, ValueError):
        raise Invalid("this file is not a readable JPEG, PNG or WebP photo", field=FIELD)
    if _trailing_bytes(data, fmt) > 16:
        raise Invalid("the photo file carries extra data after the image; send the original photo", field=FIELD)
    with Image.open(io.BytesIO(data)) as img:
        img.load()
        rgb = img.convert("RGB")
    if max(rgb.size) > 2560:  # plenty for a report, kind to slow links
        rgb.thumbnail((2560, 2560))
    out = io.BytesIO()
    rgb.save(out, format="JPEG", quality=85, optimize=True)  # no exif= argument: metadata (GPS) is dropped
    encoded = out.getvalue()
    return CleanPhoto(encoded, rgb.width, rgb.height, hashlib.sha256(encoded).hexdigest())


def store(photo: CleanPhoto, directory: Path) -> str:
    """Write under a generated name outside the web root; return that name."""
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.jpg"
    (directory / name).write_bytes(photo.data)
    return name
