"""Advanced Mobile Location (ETSI TS 103 625) SMS: a pure parser that never raises.

A handset that calls or texts an emergency number sends an SMS such as

    A"ML=1;lt=+51.53321;lg=-0.12601;rd=14;top=20220131171748;lc=68;pm=W;si=234159000000000;
    ei=123456789012345;mcc=234;mnc=15;ml=126

lt/lg: WGS84 degrees, rd: radius in metres (or N), top: time of positioning (UTC,
yyyyMMddHHmmss), lc: level of confidence (%), pm: positioning method (G GNSS, W Wi-Fi, C cell,
N none), si: IMSI, ei: IMEI, mcc/mnc: network, ml: message length including header and ml.

`parse` reports every problem as a sentence; the position is usable only when the position
fields themselves are sound (a wrong `ml` or `lc` is flagged but does not discard a good fix).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

HEADER = re.compile(r'^\s*A["\u201c\u201d]ML=')
METHODS = {"G": "gnss", "W": "wifi", "C": "cell", "N": "none"}
SUPPORTED_VERSIONS = ("1",)
POSITION_KEYS = ("lt", "lg", "rd", "top", "pm")
KNOWN_KEYS = ("lt", "lg", "rd", "top", "lc", "pm", "si", "ei", "mcc", "mnc", "ml")
_DEGREES = re.compile(r"^[+-]?\d{1,3}(\.\d{1,12})?$")
_DECIMAL = re.compile(r"^\d{1,7}(\.\d{1,6})?$")
_DIGITS = re.compile(r"^\d+$")
MAX_RADIUS_M = 1_000_000.0

# Flags stored with the message (short codes; the problems carry the sentences).
MALFORMED = "aml_malformed"
NO_POSITION = "aml_no_position"
LENGTH_MISMATCH = "aml_length_mismatch"
UNSUPPORTED_VERSION = "aml_unsupported_version"


@dataclass(frozen=True)
class AmlMessage:
    """What an AML SMS says; `problems` holds one sentence per field that could not be read."""

    version: str | None = None
    lat: float | None = None
    lon: float | None = None
    radius_m: float | None = None
    positioned_at: datetime | None = None
    confidence: int | None = None
    method: str | None = None  # G, W, C or N
    imsi: str | None = None
    imei: str | None = None
    mcc: str | None = None
    mnc: str | None = None
    length: int | None = None
    problems: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    bad_keys: frozenset[str] = field(default_factory=frozenset)

    @property
    def has_position(self) -> bool:
        """A fix worth showing: method G/W/C and sound lt, lg, rd, top and pm fields."""
        return NO_POSITION not in self.flags and self.lat is not None and self.lon is not None

    def public(self) -> dict[str, object]:
        """The position facts safe for events and the console (no IMSI, IMEI or number)."""
        return {
            "lat": self.lat, "lon": self.lon, "accuracy_m": self.radius_m, "confidence": self.confidence,
            "method": METHODS.get(self.method or ""),
            "positioned_at": self.positioned_at.isoformat() if self.positioned_at else None,
        }


def is_aml(text: str | None) -> bool:
    """True when the text starts with the AML header (A"ML=)."""
    return bool(text) and HEADER.match(text or "") is not None


def _degrees(value: str, limit: float, name: str) -> float:
    if not _DEGREES.match(value):
        raise ValueError(f"{name} {value!r} is not a number of degrees such as +51.53321")
    number = float(value)
    if not -limit <= number <= limit:
        raise ValueError(f"{name} {value!r} is outside -{limit:g}…{limit:g} degrees")
    return number


def _radius(value: str) -> float | None:
    if value.upper() == "N":
        return None
    if not _DECIMAL.match(value):
        raise ValueError(f"rd {value!r} is not a radius in metres (or N)")
    number = float(value)
    if not math.isfinite(number) or number > MAX_RADIUS_M:
        raise ValueError(f"rd {value!r} is not a plausible radius in metres")
    return number


def _time(value: str) -> datetime:
    if not (len(value) == 14 and _DIGITS.match(value)):
        raise ValueError(f"top {value!r} is not a UTC time as yyyyMMddHHmmss")
    try:
        return datetime.strptime(value, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        raise ValueError(f"top {value!r} is not a real date and time")


def _confidence(value: str) -> int:
    if not (_DIGITS.match(value) and len(value) <= 3 and int(value) <= 100):
        raise ValueError(f"lc {value!r} is not a confidence between 0 and 100 %")
    return int(value)


def _method(value: str) -> str:
    if value.upper() not in METHODS:
        raise ValueError(f"pm {value!r} is not a positioning method (G, W, C or N)")
    return value.upper()


def _digits(name: str, low: int, high: int) -> object:
    def check(value: str) -> str:
        if not (_DIGITS.match(value) and low <= len(value) <= high):
            raise ValueError(f"{name} {value!r} should be {low}–{high} digits")
        return value
    return check


def _length(value: str) -> int:
    if not (_DIGITS.match(value) and len(value) <= 4):
        raise ValueError(f"ml {value!r} is not a message length")
    return int(value)


READERS: dict[str, tuple[str, object]] = {
    "lt": ("lat", lambda v: _degrees(v, 90, "lt")),
    "lg": ("lon", lambda v: _degrees(v, 180, "lg")),
    "rd": ("radius_m", _radius),
    "top": ("positioned_at", _time),
    "lc": ("confidence", _confidence),
    "pm": ("method", _method),
    "si": ("imsi", _digits("si", 5, 15)),
    "ei": ("imei", _digits("ei", 14, 16)),
    "mcc": ("mcc", _digits("mcc", 3, 3)),
    "mnc": ("mnc", _digits("mnc", 2, 3)),
    "ml": ("length", _length),
}


def _split(body: str, problems: list[str]) -> dict[str, str]:
    """key=value pairs separated by ';' (the first is the header A"ML=<version>)."""
    pairs: dict[str, str] = {}
    for index, part in enumerate(body.split(";")):
        part = part.strip()
        if not part:
            continue
        key, sep, value = part.partition("=")
        key = key.strip()
        if index == 0:
            key = "A\"ML"
        if not sep:
            problems.append(f"the part {part[:20]!r} has no '=' and was ignored")
        elif key in pairs:
            problems.append(f"{key} appears more than once; the first value was kept")
        else:
            pairs[key] = value.strip()
    return pairs


def _read_fields(pairs: dict[str, str], problems: list[str]) -> tuple[dict[str, object], set[str]]:
    values: dict[str, object] = {}
    bad: set[str] = set()
    for key, (attr, reader) in READERS.items():
        raw = pairs.get(key)
        if raw is None:
            bad.add(key)
            problems.append(f"{key} is missing")
            continue
        try:
            values[attr] = reader(raw)  # type: ignore[operator]
        except ValueError as exc:
            bad.add(key)
            problems.append(str(exc))
    return values, bad


def _flags(version: str | None, values: dict[str, object], bad: set[str], text: str) -> list[str]:
    flags = []
    if version not in SUPPORTED_VERSIONS:
        flags.append(UNSUPPORTED_VERSION)
    if bad - {"ml"}:
        flags.append(MALFORMED)
    length = values.get("length")
    if isinstance(length, int) and length != len(text):
        flags.append(LENGTH_MISMATCH)
    elif "ml" in bad:
        flags.append(MALFORMED)
    return flags


def _usable(values: dict[str, object], bad: set[str]) -> bool:
    lat, lon = values.get("lat"), values.get("lon")
    return (values.get("method") in ("G", "W", "C") and lat is not None and lon is not None
            and not (bad & set(POSITION_KEYS)) and not (lat == 0 and lon == 0))


def parse(text: str) -> AmlMessage:
    """Read an AML SMS; never raises. Problems and flags say what was wrong."""
    if not is_aml(text):
        return AmlMessage(problems=("the message does not start with A\"ML=",), flags=(MALFORMED, NO_POSITION),
                          bad_keys=frozenset(KNOWN_KEYS))
    text = text.strip()
    problems: list[str] = []
    pairs = _split(text, problems)
    version = pairs.get("A\"ML") or None
    if version not in SUPPORTED_VERSIONS:
        problems.append(f"AML version {version!r} is not supported (expected 1); fields read as version 1")
    values, bad = _read_fields(pairs, problems)
    length = values.get("length")
    if isinstance(length, int) and length != len(text):
        problems.append(f"ml says {length} characters but the message has {len(text)}")
    flags = _flags(version, values, bad, text)
    if not _usable(values, bad):
        if values.get("method") == "N":
            problems.append("pm=N: the handset had no position to send")
        elif values.get("lat") == 0 and values.get("lon") == 0 and values.get("method") in ("G", "W", "C"):
            problems.append("lt/lg are 0,0, which is not a real position")
        flags.append(NO_POSITION)
    return AmlMessage(version=version, problems=tuple(problems), flags=tuple(dict.fromkeys(flags)),
                      bad_keys=frozenset(bad), **values)  # type: ignore[arg-type]


def format_aml(*, lat: float, lon: float, radius_m: float | None, positioned_at: datetime, confidence: int,
               method: str, imsi: str = "510100000000000", imei: str = "356938035643809",
               mcc: str = "510", mnc: str = "10") -> str:
    """Build an AML SMS as a handset would (tests, simulator); ml counts the whole message."""
    rd = "N" if radius_m is None else (f"{radius_m:.0f}" if radius_m == int(radius_m) else f"{radius_m:.1f}")
    head = (f'A"ML=1;lt={lat:+.5f};lg={lon:+.5f};rd={rd};top={positioned_at.astimezone(UTC):%Y%m%d%H%M%S};'
            f"lc={confidence};pm={method};si={imsi};ei={imei};mcc={mcc};mnc={mnc};ml=")
    for digits in (2, 3, 4):
        total = len(head) + digits
        if len(str(total)) == digits:
            return f"{head}{total}"
    return f"{head}{len(head) + 4}"
