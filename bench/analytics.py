"""Analytics benchmark: the leaders' dashboard API over a large history, next to COUNT(*).

    .venv/bin/python bench/analytics.py --db sqlite   --keep     # prepare 1,000,000 incidents, measure
    .venv/bin/python bench/analytics.py --db sqlite   --reuse /path/to/analytics.sqlite3
    .venv/bin/python bench/analytics.py --db postgres --keep
    .venv/bin/python bench/analytics.py --db postgres --reuse cc112_bench_analytics_…

Preparing (as bench/intake.py does it): a fresh database (a SQLite file, or a PostgreSQL database
created through the admin URL), `cc112 db upgrade`, `cc112 seed`, a leader account, then
`cc112 simulate history --incidents N --years Y --seed S` (timed). With --reuse the database is
taken as it is (only `db upgrade`, so new indexes are built, and the leader account if missing).
With --keep a prepared database is kept for --reuse; otherwise it is removed at the end.
Then `cc112 analytics rollup` (timed) rolls up every settled day, as the app's background builder
does after a start; with --no-rollups the rollups are dropped instead and the server's builder is
off, so every request reads the tables (the baseline the rollups are judged against).

Then one `cc112 serve` process (one uvicorn worker, background sweepers on, as in production)
on a free port of 127.0.0.1, a login as the leader, and, all in the same run:

1. baseline  `SELECT COUNT(*) FROM incidents` straight on the database, --requests times;
2. baseline  GET /api/v1/ping (authenticated no-op);
3. for each dashboard endpoint (incidents, scorecard, contacts, ratings, hotspots, spikes,
   and monthly when the server has it) and each typical filter (30d; a recent complete month;
   30d for one agency; 365d; 365d for one agency): --warmup unmeasured requests, then
   --requests sequential requests (one at a time, so each latency is the request's own).

Target (issue): every dashboard request p95 ≤ 300 ms. The table prints PASS/MISS per row.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from intake import (  # noqa: E402 - the intake benchmark's database, server and percentile helpers
    PostgresDatabase,
    Server,
    cc112_command,
    code_under_test,
    cpu_model,
    percentile,
    wait_for_quiet,
)

USERNAME = "bench_leader"
PASSWORD = "bench-leader-112"
TARGET_MS = 300.0
ENDPOINTS = ("incidents", "scorecard", "contacts", "ratings", "hotspots", "spikes", "monthly")
AGENCY = "PSC119"


@dataclass
class Row:
    name: str
    filter: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    note: str = ""

    def pct(self, q: float) -> float:
        return percentile(sorted(self.latencies), q) * 1000

    @property
    def verdict(self) -> str:
        return "PASS" if self.latencies and not self.errors and self.pct(95) <= TARGET_MS else "MISS"


def filters(today: date) -> list[tuple[str, dict[str, str]]]:
    last_month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    return [
        ("30d", {"period": "30d"}),
        (f"month {last_month}", {"period": "month", "month": last_month}),
        (f"30d agency {AGENCY}", {"period": "30d", "agency": AGENCY}),
        ("365d", {"period": "365d"}),
        (f"365d agency {AGENCY}", {"period": "365d", "agency": AGENCY}),
    ]


# ---------------------------------------------------------------- database


def run(env: dict[str, str], *args: str, timeout: float = 600, echo: bool = False) -> str:
    """Our CLI with fixed arguments; --echo streams its output (the history's progress bar)."""
    cmd = [cc112_command(), *args]
    if echo:
        done = subprocess.run(cmd, env=env, timeout=timeout, check=False)  # noqa: S603
        if done.returncode != 0:
            raise SystemExit(f"cc112 {' '.join(args)} failed ({done.returncode})")
        return ""
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout, check=False)  # noqa: S603
    if out.returncode != 0:
        raise SystemExit(f"cc112 {' '.join(args)} failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    return out.stdout.strip()


async def time_count(url: str, n: int) -> tuple[int, list[float]]:
    """Time `SELECT COUNT(*) FROM incidents` on the database itself (no HTTP, no ORM)."""
    sql = "SELECT COUNT(*) FROM incidents"
    out = []
    if url.startswith("sqlite"):
        import sqlite3

        conn = sqlite3.connect(url.split("///", 1)[1])
        try:
            total = conn.execute(sql).fetchone()[0]
            for _ in range(n):
                t0 = time.perf_counter()
                conn.execute(sql).fetchone()
                out.append(time.perf_counter() - t0)
        finally:
            conn.close()
        return int(total), out
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        total = await conn.fetchval(sql)
        for _ in range(n):
            t0 = time.perf_counter()
            await conn.fetchval(sql)
            out.append(time.perf_counter() - t0)
    finally:
        await conn.close()
    return int(total), out


def pg_url(admin_url: str, name: str) -> str:
    parts = urlsplit(admin_url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, "", ""))


# ---------------------------------------------------------------- measuring


async def login(client: httpx.AsyncClient) -> str:
    r = await client.post("/api/v1/auth/token", data={"username": USERNAME, "password": PASSWORD})
    r.raise_for_status()
    return str(r.json()["access_token"])


async def measure_one(client: httpx.AsyncClient, row: Row, path: str, params: dict[str, str], n: int,
                      warmup: int) -> dict | None:
    body = None
    for i in range(warmup + n):
        t0 = time.perf_counter()
        try:
            r = await client.get(path, params=params)
        except httpx.HTTPError as exc:
            row.errors += 1
            row.note = type(exc).__name__
            continue
        elapsed = time.perf_counter() - t0
        if r.status_code != 200:
            row.errors += 1
            row.note = f"HTTP {r.status_code}"
            continue
        body = r.json() if body is None else body
        if i >= warmup:
            row.latencies.append(elapsed)
    return body


def describe(endpoint: str, body: dict | None) -> str:
    """A few numbers from the answer, to show what was computed."""
    if not body:
        return ""
    if endpoint == "incidents":
        return f"{body.get('total', 0):,} incidents"
    if endpoint == "scorecard":
        return f"{sum(a['assignments'] for a in body.get('agencies', [])):,} assignments"
    if endpoint == "contacts":
        return f"{body.get('total', 0):,} contacts"
    if endpoint == "ratings":
        return f"{body.get('count', 0):,} ratings"
    if endpoint == "hotspots":
        return f"{len(body.get('cells', []))} cells, top {body['cells'][0]['count'] if body.get('cells') else 0:,}"
    if endpoint == "spikes":
        return f"{len(body.get('spikes', []))} spikes"
    if endpoint == "monthly":
        return f"{sum(m['count'] for m in body.get('months', [])):,} in 12 months"
    return ""


async def measure(args: argparse.Namespace, server: Server, db_url: str) -> tuple[list[Row], int]:
    total, counts = await time_count(db_url, args.requests)
    count_row = Row("SELECT COUNT(*) FROM incidents", "direct", counts, note=f"{total:,} rows")
    async with httpx.AsyncClient(base_url=server.base_url, timeout=httpx.Timeout(120.0)) as anon:
        token = await login(anon)
    rows = [count_row]
    async with httpx.AsyncClient(base_url=server.base_url, headers={"Authorization": f"Bearer {token}"},
                                 timeout=httpx.Timeout(120.0)) as client:
        ping = Row("GET /api/v1/ping", "-")
        await measure_one(client, ping, "/api/v1/ping", {}, args.requests, args.warmup)
        rows.append(ping)
        today = datetime.now(UTC).astimezone().date()
        for endpoint in args.endpoints:
            probe = await client.get(f"/api/v1/analytics/{endpoint}", params={"period": "today"})
            if probe.status_code == 404:
                print(f"  {endpoint}: not served by this version, skipped", file=sys.stderr, flush=True)
                continue
            for label, params in filters(today):
                row = Row(f"/analytics/{endpoint}", label)
                body = await measure_one(client, row, f"/api/v1/analytics/{endpoint}", params, args.requests,
                                         args.warmup)
                row.note = row.note or describe(endpoint, body)
                rows.append(row)
                print(f"  {endpoint:<10} {label:<22} p50 {row.pct(50):8.1f} ms  p95 {row.pct(95):8.1f} ms  "
                      f"{row.verdict}  {row.note}", file=sys.stderr, flush=True)
    return rows, total


def report(args: argparse.Namespace, rows: list[Row], meta: dict[str, str]) -> bool:
    print()
    print(f"cc112 analytics benchmark — {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}")
    print(f"machine: {os.cpu_count()} CPUs, {cpu_model()}; load average before {meta['load_before']}, "
          f"after {os.getloadavg()[0]:.2f} (1 min)")
    print(f"database: {meta['db']}; {meta['history']}")
    print(f"code under test: {meta['code']}; one uvicorn worker; {args.requests} sequential requests per row "
          f"after {args.warmup} warm-up")
    print()
    print("| request | filter | n | p50 ms | p95 ms | max ms | target p95 ≤ 300 ms | answer |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        baseline = r.name.startswith(("SELECT", "GET"))
        verdict = "(baseline)" if baseline else r.verdict
        print(f"| {r.name} | {r.filter} | {len(r.latencies)} | {r.pct(50):.1f} | {r.pct(95):.1f} | "
              f"{r.pct(100):.1f} | {verdict} | {r.note} |")
    dashboard = [r for r in rows if r.name.startswith("/analytics")]
    missed = [r for r in dashboard if r.verdict == "MISS"]
    print()
    print(f"{len(dashboard) - len(missed)} of {len(dashboard)} dashboard rows PASS"
          + (f"; MISS: {', '.join(f'{r.name} [{r.filter}]' for r in missed)}" if missed else ""))
    return not missed


# ---------------------------------------------------------------- the run


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    p.add_argument("--incidents", type=int, default=1_000_000)
    p.add_argument("--years", type=float, default=10.0, help="years the history spans (ending now)")
    p.add_argument("--seed", type=int, default=112)
    p.add_argument("--requests", type=int, default=20, help="measured requests per row")
    p.add_argument("--warmup", type=int, default=2, help="unmeasured requests before each row")
    p.add_argument("--endpoints", nargs="+", default=list(ENDPOINTS), choices=ENDPOINTS)
    p.add_argument("--reuse", metavar="PATH_OR_DBNAME",
                   help="a prepared database: SQLite file path, or PostgreSQL database name")
    p.add_argument("--keep", action="store_true", help="keep the prepared database (for --reuse)")
    p.add_argument("--no-rollups", dest="rollups", action="store_false",
                   help="measure the tables alone: no day rollups built, the server's builder off "
                        "(with --reuse, existing rollups are dropped first)")
    p.add_argument("--data-dir", type=Path, default=None,
                   help="where a prepared SQLite database goes (default: a temporary directory)")
    p.add_argument("--pg-admin-url", default=os.environ.get("CC112_BENCH_PG_ADMIN_URL",
                                                            "postgresql://postgres@127.0.0.1:5432/postgres"))
    p.add_argument("--wait-quiet", type=float, default=0.0, metavar="SECONDS",
                   help="first wait up to this long for other processes to use under 30%% of a core")
    p.add_argument("--keep-log", action="store_true", help="keep the server log and print its path")
    args = p.parse_args(argv)
    if args.incidents < 1 or not 1 <= args.requests <= 10_000:
        p.error("--incidents must be ≥ 1 and --requests in [1, 10000]")
    return args


def prepare(args: argparse.Namespace, env: dict[str, str], tmp: Path) -> tuple[str, str, str, PostgresDatabase | None]:
    """(database URL, description, history line, database to drop at the end or None)."""
    pg = None
    if args.db == "postgres":
        if args.reuse:
            url = pg_url(args.pg_admin_url, args.reuse)
        else:
            pg = PostgresDatabase(args.pg_admin_url)
            pg.name = f"cc112_bench_analytics_{pg.name.split('_', 2)[-1]}"
            pg.url = pg_url(args.pg_admin_url, pg.name)
            pg.create()
            url = pg.url
        version = asyncio.run(_pg_version(url))
    else:
        path = Path(args.reuse) if args.reuse else (args.data_dir or tmp) / "analytics.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{path.resolve()}"
        import sqlite3

        version = f"SQLite {sqlite3.sqlite_version}, WAL"
    env["CC112_DATABASE_URL"] = url
    print(f"database {url} …", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    run(env, "db", "upgrade", timeout=3600)
    upgrade_s = time.perf_counter() - t0
    if args.reuse:
        with contextlib.suppress(SystemExit):  # already there
            run(env, "user", "add", "--username", USERNAME, "--password", PASSWORD, "--role", "leader")
        history = f"reused database (db upgrade took {upgrade_s:.0f} s)"
    else:
        run(env, "seed")
        run(env, "user", "add", "--username", USERNAME, "--password", PASSWORD, "--role", "leader")
        t0 = time.perf_counter()
        run(env, "simulate", "history", "--incidents", str(args.incidents), "--years", f"{args.years:g}",
            "--seed", str(args.seed), timeout=6 * 3600, echo=True)
        history = (f"history: `cc112 simulate history --incidents {args.incidents} --years {args.years:g} "
                   f"--seed {args.seed}` took {time.perf_counter() - t0:.0f} s")
    if args.rollups:
        # what the app's background builder does after a start: every settled day rolled up
        t0 = time.perf_counter()
        run(env, "analytics", "rollup", timeout=3600)
        history += f"; `cc112 analytics rollup` took {time.perf_counter() - t0:.0f} s"
    else:
        run(env, "analytics", "rollup", "--drop", timeout=600)
        history += "; no day rollups (--no-rollups: every request reads the tables)"
    return url, version, history, (None if args.keep else pg)


async def _pg_version(url: str) -> str:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        return str(await conn.fetchval("SELECT version()")).split(" on ")[0]
    finally:
        await conn.close()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="cc112-bench-analytics-"))
    env = {**os.environ, "CC112_DATA_DIR": str(tmp), "CC112_ENV": "development",
           "CC112_RATE_LIMIT_PER_MINUTE": "10000000"}
    env.pop("CC112_REDIS_URL", None)
    if not args.rollups:
        env["CC112_ANALYTICS_ROLLUP_SECONDS"] = "0"
    drop: PostgresDatabase | None = None
    sqlite_file: Path | None = None
    try:
        url, version, history, drop = prepare(args, env, tmp)
        if url.startswith("sqlite") and not args.keep and not args.reuse:
            sqlite_file = Path(url.split("///", 1)[1])
        if args.wait_quiet:
            busy = wait_for_quiet(args.wait_quiet)
            print(f"machine busy before start: {busy:.0f}% of a core", file=sys.stderr, flush=True)
        load_before = f"{os.getloadavg()[0]:.2f}"
        with Server(env, tmp / "server.log") as server:
            print(f"server pid {server.proc.pid if server.proc else '?'} at {server.base_url}; measuring …",
                  file=sys.stderr, flush=True)
            rows, total = asyncio.run(measure(args, server, url.replace("postgresql+asyncpg", "postgresql")))
        meta = {"db": f"{args.db} ({version}), {total:,} incidents", "history": history,
                "code": code_under_test(env), "load_before": load_before}
        passed = report(args, rows, meta)
        if args.keep and not args.reuse:
            where = url.split("///", 1)[1] if url.startswith("sqlite") else url.rsplit("/", 1)[1]
            print(f"\nkept for --reuse: {where}")
    finally:
        if drop is not None:
            drop.drop()
        if sqlite_file is not None:
            for suffix in ("", "-wal", "-shm"):
                Path(str(sqlite_file) + suffix).unlink(missing_ok=True)
        if args.keep_log:
            print(f"server log kept in {tmp / 'server.log'}", file=sys.stderr)
        elif not (args.keep and args.db == "sqlite" and args.data_dir is None):
            shutil.rmtree(tmp, ignore_errors=True)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
