"""What the centre answers by SMS (Bahasa Indonesia: the senders are Banggai's residents)."""

from __future__ import annotations

import re

FORMAT_HINT = "Format: 112 JENIS DESA KETERANGAN, mis. 112 KEBAKARAN Desa Hanga-Hanga rumah terbakar."


def _sign(centre: str) -> str:
    return f"112 {centre}".strip()


def ticket(*, centre: str, ticket_no: str, type_name: str, place: str | None) -> str:
    """Reply to a keyword report: the ticket, and that an operator will call back."""
    where = f", {place}" if place else ""
    return (f"{_sign(centre)}: Laporan diterima. Nomor tiket {ticket_no} ({type_name}{where}). "
            "Petugas 112 akan menghubungi nomor ini untuk memastikan. Bila keadaan memburuk, telepon 112.")


def received(*, centre: str) -> str:
    """Reply to free text: received, an operator will call."""
    return (f"{_sign(centre)}: Pesan Anda diterima. Operator 112 akan segera menelepon Anda. "
            f"{FORMAT_HINT}")


def unknown_keyword(*, centre: str, keyword: str, valid: list[str]) -> str:
    """Reply to `112 WORD …` with a word we do not know: say so, list a few that work."""
    shown = re.sub(r"[^\w\-]", "", keyword)[:20].upper() or "?"
    listed = ", ".join(valid)
    return (f"{_sign(centre)}: Kata kunci \"{shown}\" tidak dikenali. Pesan Anda tetap diterima dan operator "
            f"112 akan menelepon Anda. Kata kunci yang bisa dipakai: {listed}.")
