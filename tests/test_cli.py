"""The `cc112` command: seed, user add, audit verify — run as a real process."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select, text

from cc112.accounts.models import AuditEntry
from cc112.db import Database
from cc112.geo.models import Region
from cc112.incidents.models import Incident

CC112 = [sys.executable, "-m", "cc112.cli"]


def _run_blocking(db_url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CC112_DATABASE_URL": db_url, "CC112_DATA_DIR": str(tmp_path)}
    return subprocess.run([*CC112, *args], env=env, capture_output=True, text=True, timeout=120, check=False)


async def run(db_url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI in a thread: the test's app keeps running (its background writers hold locks briefly)."""
    return await asyncio.to_thread(_run_blocking, db_url, tmp_path, *args)


async def test_seed_twice_changes_nothing(db_url, tmp_path, settings):
    database = Database(settings)
    try:
        async with database.session() as s:
            before = await s.scalar(select(func.count(Region.id)))
        result = await run(db_url, tmp_path, "seed")
        assert result.returncode == 0, result.stderr
        assert "24 kecamatan" in result.stdout
        async with database.session() as s:
            assert await s.scalar(select(func.count(Region.id))) == before
            assert before > 300  # 24 kecamatan and their desa/kelurahan
    finally:
        await database.dispose()


async def test_user_add_creates_a_login_and_refuses_agency_roles_without_agency(db_url, tmp_path, anon):
    ok = await run(db_url, tmp_path, "user", "add", "--username", "siti", "--password", "rahasia-112",
             "--role", "agency_dispatcher", "--agency", "BPBD")
    assert ok.returncode == 0, ok.stderr
    login = await anon.post("/api/v1/auth/token", data={"username": "siti", "password": "rahasia-112"})
    assert login.status_code == 200
    missing = await run(db_url, tmp_path, "user", "add", "--username", "budi", "--password", "rahasia-112",
                  "--role", "responder")
    assert missing.returncode == 1
    assert "agency" in missing.stdout


async def test_audit_verify_passes_then_names_the_altered_row(db_url, tmp_path, settings, dispatched_fire):
    ok = await run(db_url, tmp_path, "audit", "verify")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "intact" in ok.stdout
    database = Database(settings)
    try:
        async with database.session() as s:
            ids = list(await s.scalars(select(AuditEntry.id).order_by(AuditEntry.id)))
            victim = ids[len(ids) // 2]
            await s.execute(text("UPDATE audit_log SET actor_name = 'mallory' WHERE id = :id"), {"id": victim})
            await s.commit()
    finally:
        await database.dispose()
    broken = await run(db_url, tmp_path, "audit", "verify")
    assert broken.returncode == 1
    assert f"row id {victim}" in broken.stdout


async def test_audit_verify_notices_a_deleted_row(db_url, tmp_path, settings, dispatched_fire):
    assert (await run(db_url, tmp_path, "audit", "verify")).returncode == 0  # entries chained, as a running app does
    database = Database(settings)
    try:
        async with database.session() as s:
            ids = list(await s.scalars(select(AuditEntry.id).order_by(AuditEntry.seq)))
            await s.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": ids[3]})
            await s.commit()
    finally:
        await database.dispose()
    broken = await run(db_url, tmp_path, "audit", "verify")
    assert broken.returncode == 1
    assert f"row id {ids[4]}" in broken.stdout


async def test_every_incident_change_is_in_the_audit_log(settings, dispatched_fire):
    database = Database(settings)
    try:
        async with database.session() as s:
            actions = list(await s.scalars(select(AuditEntry.action).where(
                AuditEntry.object_type == "incident", AuditEntry.object_id == str(dispatched_fire["id"]))))
            assert "incident.created" in actions
            assert actions.count("assignment.requested") == 2
            assert await s.scalar(select(func.count(Incident.id))) == 1
    finally:
        await database.dispose()


def test_bad_settings_stop_with_the_variable_named(tmp_path):
    env = {**os.environ, "CC112_TIMEZONE": "Mars/Olympus", "CC112_DATA_DIR": str(tmp_path)}
    result = subprocess.run([*CC112, "seed"], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2
    assert "CC112_TIMEZONE" in result.stdout + result.stderr
