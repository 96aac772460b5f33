"""Caller numbers: normalise to E.164, mask for display."""

from __future__ import annotations

import phonenumbers

from cc112.errors import Invalid

WITHHELD = {"", "anonymous", "unknown", "private", "withheld", "tidak diketahui"}


def normalise(raw: str | None, *, region: str = "ID", field: str = "caller_number") -> str | None:
    """E.164 for a dialable number, None for withheld; Invalid for anything else."""
    if raw is None or raw.strip().lower() in WITHHELD:
        return None
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise Invalid(f"{raw!r} is not a phone number; use 08xx…, 0461… or +62…", field=field)
    if not phonenumbers.is_possible_number(parsed):
        raise Invalid(f"{raw!r} has the wrong length for a phone number", field=field)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def mask(e164: str | None) -> str | None:
    """+6281234567890 -> +62812****7890: enough to recognise, not to call."""
    if not e164:
        return None
    head, tail = e164[:6], e164[-4:]
    hidden = len(e164) - len(head) - len(tail)
    if hidden <= 0:
        return "*" * (len(e164) - 2) + e164[-2:]
    return f"{head}{'*' * hidden}{tail}"
