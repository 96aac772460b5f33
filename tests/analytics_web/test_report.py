"""The monthly PDF report: from the dashboard's button and from `cc112 report monthly`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import anyio
import pytest

from cc112.analytics.present import Format
from tests.analytics_web.helpers import last_month

TITLE = "Laporan Bulanan Command Center 112"


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    """The PDF's text as a reader would copy it (Debian's poppler-utils)."""
    if shutil.which("pdftotext") is None:
        pytest.skip("needs pdftotext: apt-get install poppler-utils")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(["pdftotext", "-layout", str(path), "-"],  # noqa: S603, S607 (fixed arguments)
                            capture_output=True, text=True, timeout=60, check=True)
    return " ".join(result.stdout.split())


async def test_a_leader_downloads_the_monthly_pdf_in_bahasa_indonesia(history, leader, tmp_path):
    month = last_month()
    response = await leader.get("/dashboard/report.pdf", params={"month": month})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == f'attachment; filename="laporan-bulanan-112-{month}.pdf"'
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content, tmp_path)
    assert TITLE in text
    assert Format("id").month(month) in text  # e.g. "Oktober 2026"
    for section in ("Ringkasan", "Kinerja instansi", "Instansi yang tidak mencapai sasaran", "Titik rawan",
                    "Statistik kontak", "Pola waktu"):
        assert section in text, section
    # PSC 119 misses its arrival target; the report says by how much.
    assert "PSC119" in text and "kurang" in text and "poin dari sasaran 90 %" in text


async def test_without_a_month_the_report_is_for_the_last_full_month(history, supervisor, tmp_path):
    response = await supervisor.get("/dashboard/report.pdf")
    assert response.status_code == 200
    assert f"{last_month()}.pdf" in response.headers["content-disposition"]


async def test_a_malformed_month_is_refused_with_the_reason(leader):
    response = await leader.get("/dashboard/report.pdf", params={"month": "2026-13"})
    assert response.status_code == 422
    assert "YYYY-MM" in response.text


async def test_an_empty_month_still_makes_a_readable_report(leader, tmp_path):
    response = await leader.get("/dashboard/report.pdf", params={"month": "2021-02"})
    assert response.status_code == 200
    text = pdf_text(response.content, tmp_path)
    assert TITLE in text and "Februari 2021" in text
    assert "Tidak ada penugasan bulan ini" in text


def cc112(db_url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the `cc112` command as a real process against the test database."""
    env = {**os.environ, "CC112_DATABASE_URL": db_url, "CC112_DATA_DIR": str(tmp_path)}
    return subprocess.run([sys.executable, "-m", "cc112.cli", *args],  # noqa: S603 (our own command)
                          env=env, capture_output=True, text=True, timeout=180, check=False)


async def test_the_cli_writes_the_monthly_pdf(history, db_url, tmp_path):
    out = tmp_path / "report.pdf"
    month = last_month()
    result = await anyio.to_thread.run_sync(
        lambda: cc112(db_url, tmp_path, "report", "monthly", "--month", month, "--out", str(out)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert out.read_bytes().startswith(b"%PDF")
    assert TITLE in pdf_text(out.read_bytes(), tmp_path)
    bad = await anyio.to_thread.run_sync(
        lambda: cc112(db_url, tmp_path, "report", "monthly", "--month", "oktober", "--out", str(tmp_path / "x.pdf")))
    assert bad.returncode == 1
    assert "YYYY-MM" in bad.stdout
    assert not (tmp_path / "x.pdf").exists()


def test_without_weasyprint_the_report_says_what_to_install(monkeypatch):
    from cc112.analytics import report
    from cc112.errors import Unavailable

    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as if it were not installed
    with pytest.raises(Unavailable, match="libpango-1.0-0"):
        report.to_pdf("<p>x</p>")
