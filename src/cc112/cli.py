"""The `cc112` command."""

from __future__ import annotations

import asyncio
import secrets
import shutil
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cc112.config import ConfigError, Settings, load_settings
from cc112.training.cli import simulate_app

app = typer.Typer(help="Command Center 112", no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="Database schema", no_args_is_help=True)
audit_app = typer.Typer(help="Audit log", no_args_is_help=True)
user_app = typer.Typer(help="Staff accounts", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(audit_app, name="audit")
app.add_typer(user_app, name="user")
report_app = typer.Typer(help="Reports", no_args_is_help=True)
app.add_typer(report_app, name="report")
app.add_typer(simulate_app, name="simulate")
analytics_app = typer.Typer(help="Leaders' dashboard numbers", no_args_is_help=True)
app.add_typer(analytics_app, name="analytics")
console = Console()

DEMO_USERS = (
    ("operator", "operator", None), ("supervisor", "supervisor", None),
    ("damkar", "agency_dispatcher", "DAMKAR"), ("psc119", "agency_dispatcher", "PSC119"),
    ("polres", "agency_dispatcher", "POLRES"), ("bpbd", "agency_dispatcher", "BPBD"),
    ("responder", "responder", "DAMKAR"), ("leader", "leader", None), ("admin", "admin", None),
)


def _settings(**overrides: object) -> Settings:
    try:
        return load_settings(**overrides)
    except ConfigError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2)


async def _in_session(settings: Settings, fn):  # type: ignore[no-untyped-def]
    from cc112.db import Database

    database = Database(settings)
    try:
        async with database.session_scope() as session:
            return await fn(session)
    finally:
        await database.dispose()


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to the newest schema."""
    from cc112.migrate import upgrade

    settings = _settings()
    upgrade(settings.db_url)
    console.print(f"database at newest schema: {settings.db_url.split('@')[-1]}")


@app.command()
def seed() -> None:
    """Load Banggai reference data (idempotent)."""
    from cc112.seed import seed as run_seed

    report = asyncio.run(_in_session(_settings(), run_seed))
    console.print(f"seeded {report.jurisdiction}: {report.kecamatan} kecamatan, {report.desa} desa/kelurahan, "
                  f"{report.agencies} agencies, {report.units} units, {report.incident_types} incident types")


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Option(help="login name")],
    password: Annotated[str, typer.Option(help="at least 8 characters")],
    role: Annotated[str, typer.Option(help="operator, supervisor, agency_dispatcher, responder, leader, admin")],
    agency: Annotated[str | None, typer.Option(help="agency code, for agency roles")] = None,
    jurisdiction: Annotated[str | None, typer.Option(help="Kemendagri code; default CC112_JURISDICTION")] = None,
    full_name: Annotated[str, typer.Option(help="display name")] = "",
) -> None:
    """Create a staff account."""
    from cc112.accounts import service as accounts
    from cc112.errors import DomainError

    settings = _settings()

    async def work(session):  # type: ignore[no-untyped-def]
        return await accounts.create(db=session, username=username, password=password, role=role,
                                     jurisdiction_code=jurisdiction or settings.jurisdiction,
                                     agency_code=agency, full_name=full_name)
    try:
        user = asyncio.run(_in_session(settings, work))
    except DomainError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1)
    console.print(f"created {user.username} ({user.role})")


@audit_app.command("verify")
def audit_verify() -> None:
    """Chain pending entries, then check the audit log's hash chain; exit 1 naming the first broken row."""
    from cc112.accounts.audit import chain_all, verify
    from cc112.db import Database

    async def run():  # type: ignore[no-untyped-def]
        database = Database(_settings())
        try:
            await chain_all(database)
            async with database.session(write=False) as session:
                return await verify(session)
        finally:
            await database.dispose()

    result = asyncio.run(run())
    if result.ok:
        console.print(f"audit log intact: {result.checked} entries verified")
        return
    console.print(f"[red]audit log BROKEN at row id {result.broken_id}: {result.reason} "
                  f"({result.checked} entries before it are intact)[/red]")
    raise typer.Exit(1)


@report_app.command("monthly")
def report_monthly(
    month: Annotated[str, typer.Option(help="the month, YYYY-MM (e.g. 2026-10)")],
    out: Annotated[Path, typer.Option(help="where to write the PDF")],
    jurisdiction: Annotated[str | None, typer.Option(help="Kemendagri code; default CC112_JURISDICTION")] = None,
) -> None:
    """Write the monthly report for the bupati as a PDF (Bahasa Indonesia)."""
    from sqlalchemy import select

    from cc112.analytics import report
    from cc112.errors import DomainError
    from cc112.geo.models import Jurisdiction

    settings = _settings()
    code = jurisdiction or settings.jurisdiction

    async def work(session):  # type: ignore[no-untyped-def]
        jur = await session.scalar(select(Jurisdiction).where(Jurisdiction.code == code))
        if jur is None:
            raise typer.BadParameter(f"unknown jurisdiction {code!r}; run `cc112 seed` first",
                                     param_hint="--jurisdiction")
        return report.render_html(await report.build(session, jurisdiction_id=jur.id, month=month))
    try:
        pdf = report.to_pdf(asyncio.run(_in_session(settings, work)))
    except DomainError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1)
    out.write_bytes(pdf)
    console.print(f"monthly report {month} written to {out}")


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8112) -> None:
    """Serve the application."""
    import uvicorn

    from cc112.app import create_app

    uvicorn.run(create_app(_settings()), host=host, port=port, proxy_headers=True, log_level="info")


@app.command()
def demo(
    host: str = "127.0.0.1", port: int = 8112,
    every: Annotated[float, typer.Option(help="mean seconds between simulated contacts")] = 6.0,
    keep: Annotated[bool, typer.Option(help="keep the existing demo database")] = False,
    history: Annotated[int, typer.Option(min=0, help="incidents of generated history (the year before today) for "
                                                     "the leaders' dashboard; 0 = none")] = 20_000,
) -> None:
    """Fresh demo database, seeded, with demo logins, a year of history and a live simulated workload."""
    import uvicorn

    from cc112.app import create_app
    from cc112.migrate import upgrade

    base = _settings()
    demo_dir = base.data_dir / "demo"
    if demo_dir.exists() and not keep:
        shutil.rmtree(demo_dir)
    demo_dir.mkdir(parents=True, exist_ok=True)
    settings = _settings(data_dir=demo_dir, database_url=f"sqlite:///{(demo_dir / 'cc112.sqlite3').resolve()}")
    upgrade(settings.db_url)
    logins = asyncio.run(_demo_setup(settings))
    if history and not keep:
        asyncio.run(_demo_history(settings, history))
    table = Table(title="Demo logins (Kabupaten Banggai)")
    for column in ("username", "password", "role", "agency"):
        table.add_column(column)
    for row in logins:
        table.add_row(*row)
    console.print(table)
    console.print(f"API docs: http://{host}:{port}/docs   live events: /api/v1/events/stream")
    app_ = create_app(settings, background=[_simulate(every)])
    uvicorn.run(app_, host=host, port=port, log_level="warning")


async def _demo_history(settings: Settings, incidents: int) -> None:
    """A year of history ending at local midnight (today belongs to the live simulator's tickets)."""
    from datetime import datetime, time

    from cc112.clock import now
    from cc112.db import Database
    from cc112.training.history import generate

    database = Database(settings)
    try:
        end = datetime.combine(now().astimezone(settings.zone).date(), time.min, settings.zone)
        with console.status(f"generating {incidents} incidents of history for the dashboard …"):
            report = await generate(database, incidents=incidents, years=1.0, seed=112, end=end)
        console.print(f"history {report.first_day} … {report.last_day}: {report.incidents} incidents, "
                      f"{report.contacts} contacts in {report.seconds:.0f} s")
    finally:
        await database.dispose()


async def _demo_setup(settings: Settings) -> list[tuple[str, str, str, str]]:
    from cc112.accounts import service as accounts
    from cc112.seed import seed as run_seed

    async def work(session):  # type: ignore[no-untyped-def]
        await run_seed(session)
        rows = []
        for username, role, agency in DEMO_USERS:
            password = f"{username}-112"
            if await accounts.get_by_username(session, username) is None:
                await accounts.create(db=session, username=username, password=password, role=role,
                                      jurisdiction_code=settings.jurisdiction, agency_code=agency,
                                      full_name=f"Demo {username}")
            rows.append((username, password, role, agency or ""))
        if await accounts.get_by_username(session, "simulator") is None:
            await accounts.create(db=session, username="simulator", password=secrets.token_urlsafe(24),
                                  role="supervisor", jurisdiction_code=settings.jurisdiction,
                                  full_name="Simulator beban kerja")
        return rows

    return await _in_session(settings, work)  # type: ignore[no-any-return]


def _simulate(every: float):  # type: ignore[no-untyped-def]
    async def job(app_) -> None:  # type: ignore[no-untyped-def]
        from cc112.training.simulator import Simulator, Speed, close_resolved

        sim = Simulator(app_.state.db, speed=Speed(contact_every_s=every))
        closer = asyncio.create_task(_close_loop(app_.state.db, close_resolved))
        try:
            await sim.run()
        finally:
            closer.cancel()
            await sim.stop()
    return job


async def _close_loop(database, close_resolved) -> None:  # type: ignore[no-untyped-def]
    while True:
        await asyncio.sleep(20)
        try:
            await close_resolved(database)
        except Exception:  # keep the demo alive
            pass


def main() -> None:
    try:
        app()
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()


@analytics_app.command("rollup")
def analytics_rollup(
    drop: Annotated[bool, typer.Option("--drop", help="delete every rollup instead (the dashboard then reads "
                                                      "the tables until the app's builder has rebuilt them)")] = False,
) -> None:
    """Roll up every settled day for the dashboard now (the app also does it in the background)."""
    import time

    from cc112.analytics import rollups
    from cc112.db import Database

    settings = _settings()

    async def run() -> int:
        database = Database(settings)
        try:
            if drop:
                await rollups.drop_all(database)
                console.print("every analytics rollup deleted")
                return 0
            total = 0
            while built := await rollups.refresh(database, max_days=400):
                total += built
                console.print(f"{total} day(s) rolled up …")
            return total
        finally:
            await database.dispose()

    t0 = time.perf_counter()
    total = asyncio.run(run())
    if not drop:
        console.print(f"rolled up {total} settled day(s) and month(s) in {time.perf_counter() - t0:.1f} s")
