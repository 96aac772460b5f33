"""Bahasa Indonesia labels for codes (statuses, roles, classifications); English via the catalog."""

from __future__ import annotations

from cc112.web.i18n import gettext

LABELS = {
    # incident statuses
    "received": "diterima", "verified": "terverifikasi", "dispatched": "dikirim", "on_scene": "di lokasi",
    "resolved": "tertangani", "closed": "ditutup", "cancelled": "dibatalkan", "merged": "digabung",
    # assignment statuses
    "requested": "diminta", "acknowledged": "dikonfirmasi", "en_route": "dalam perjalanan",
    "completed": "selesai", "declined": "ditolak",
    # unit statuses
    "available": "siaga", "assigned": "ditugaskan",
    # classifications
    "emergency": "darurat", "non_emergency": "bukan darurat", "information": "informasi", "prank": "iseng",
    "ghost": "diam/ghost", "abandoned": "terputus", "unclassified": "belum diklasifikasi",
    # roles
    "operator": "operator", "supervisor": "supervisor", "agency_dispatcher": "dispatcher instansi",
    "responder": "petugas lapangan", "leader": "pimpinan", "admin": "administrator",
    # routing roles
    "primary": "utama", "support": "pendukung",
}


def label(code: str | None) -> str:
    """The Indonesian label of a code, translated to the current language."""
    if code is None:
        return "—"
    return gettext(LABELS.get(code, code))
