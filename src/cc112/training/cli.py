"""`cc112 simulate …`: generated workloads (added to the main command in cc112.cli)."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time
from typing import Annotated

import typer
from rich import progress as bars
from rich.console import Console

simulate_app = typer.Typer(help="Simulated workloads and history", no_args_is_help=True)
console = Console()


@simulate_app.command("history")
def simulate_history(
    incidents: Annotated[int, typer.Option(min=1, help="incidents to generate (with their contacts, assignments, "
                                                       "events and audit entries)")] = 10_000,
    years: Annotated[float, typer.Option(min=0.01, max=30, help="years of history, ending now")] = 1.0,
    seed: Annotated[int, typer.Option(help="the same seed gives the same history")] = 112,
    exercise: Annotated[bool, typer.Option(help="mark everything as an exercise (kept out of statistics)")] = False,
    batch: Annotated[int, typer.Option(min=100, help="incidents per transaction")] = 20_000,
    until: Annotated[str | None, typer.Option(help="end the history at this local date (YYYY-MM-DD, exclusive) "
                                                   "instead of now: with --seed, the same history every time")] = None,
) -> None:
    """Generate a realistic history for demos and benchmarks (run `db upgrade` and `seed` first)."""
    from cc112.cli import _settings
    from cc112.db import Database
    from cc112.training.history import Report, generate

    settings = _settings()
    end = None
    if until:
        try:
            end = datetime.combine(date.fromisoformat(until), time.min, settings.zone)
        except ValueError:
            raise typer.BadParameter("give the date as YYYY-MM-DD", param_hint="--until")

    async def work() -> Report:
        database = Database(settings)
        try:
            with bars.Progress(bars.TextColumn("history"), bars.BarColumn(), bars.MofNCompleteColumn(),
                               bars.TextColumn("incidents"), bars.TimeElapsedColumn(), bars.TimeRemainingColumn(),
                               console=console) as bar:
                task = bar.add_task("history", total=incidents)
                return await generate(database, incidents=incidents, years=years, seed=seed, end=end,
                                      exercise=exercise, batch_incidents=batch,
                                      progress=lambda n: bar.advance(task, n))
        finally:
            await database.dispose()

    report = asyncio.run(work())
    console.print(
        f"history {report.first_day} … {report.last_day}: {report.incidents} incidents, {report.contacts} contacts, "
        f"{report.assignments} assignments, {report.events} events (and as many audit entries), "
        f"{report.feedback} ratings, {report.caller_blocks} caller blocks in {report.seconds:.0f} s "
        f"({report.incidents / max(report.seconds, 1e-9):.0f} incidents/s)")
