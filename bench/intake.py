"""Intake benchmark: contact + incident + dispatch over HTTP, next to an authenticated no-op.

    .venv/bin/python bench/intake.py --db sqlite --seconds 15
    .venv/bin/python bench/intake.py --db postgres --seconds 15

The script prepares everything itself: a fresh database (a SQLite file in a temporary
directory, or a PostgreSQL database it creates and drops), `cc112 db upgrade`, `cc112 seed`,
an operator account, and one `cc112 serve` process (one uvicorn worker) on a free port of
127.0.0.1. Then, all in the same run:

1. baseline  GET /api/v1/ping (authenticated no-op), closed loop at --concurrency;
2. intake    one operation = POST /contacts, POST /incidents (with the contact), POST
             /incidents/{id}/dispatch (the proposed primary agencies), closed loop at
             --concurrency: the sustained rate;
3. open loop intake at half the sustained rate on a fixed arrival schedule; latency is
             measured from each operation's scheduled start, so a stall is not hidden
             (no coordinated omission).

Targets (issue): intake ops/s / ping req/s >= 0.25, and open-loop p99 <= 50 ms.
CPU columns are per cent of one core over the phase (server process, this client process,
the sum of all `postgres` processes, and everything else on the machine), to show which side
is the bottleneck and how noisy the machine was; --wait-quiet waits for a quiet machine first.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import math
import os
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

ROOT = Path(__file__).resolve().parents[1]
USERNAME = "bench_operator"
PASSWORD = "bench-operator-112"
INCIDENT_TYPES = ("kebakaran_bangunan", "kecelakaan_lalu_lintas", "kegawatan_medis")
LUWUK = (-0.95, 122.79)
TARGET_RATIO = 0.25
TARGET_P99_MS = 50.0
CLK_TCK = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------- measurements


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list (nan when empty)."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


@dataclass
class Result:
    name: str
    mode: str
    load: str
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    steps: dict[str, list[float]] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)
    late_issue_max: float = 0.0
    finished_in_window: int | None = None  # closed loop: operations that ended before the deadline

    @property
    def ok(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        """Closed loop: operations finished within the window ÷ window (the slow tail that ends after
        the deadline does not stretch the window); open loop: finished ÷ time to the last one."""
        done = self.ok if self.finished_in_window is None else self.finished_in_window
        return done / self.elapsed if self.elapsed else 0.0

    def pct(self, q: float) -> float:
        return percentile(sorted(self.latencies), q) * 1000


class CpuMeter:
    """CPU seconds of the server, this client, and every postgres process, between two marks."""

    def __init__(self, server_pid: int, postgres: bool) -> None:
        self.server_pid = server_pid
        self.postgres = postgres

    @staticmethod
    def _proc_cpu(pid: int | str) -> tuple[str, float] | None:
        try:
            raw = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return None
        comm = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        return comm, (int(fields[11]) + int(fields[12])) / CLK_TCK

    def _postgres(self) -> dict[str, float]:
        out = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                found = self._proc_cpu(entry)
                if found and found[0].startswith("postgres"):
                    out[entry] = found[1]
        return out

    @staticmethod
    def _machine_busy() -> float:
        """CPU seconds all processes used (not idle, not iowait), from /proc/stat."""
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        user, nice, system, _idle, _iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
        return (user + nice + system + irq + softirq + steal) / CLK_TCK

    def mark(self) -> dict[str, object]:
        server = self._proc_cpu(self.server_pid)
        t = os.times()
        return {
            "wall": time.perf_counter(),
            "server": server[1] if server else 0.0,
            "client": t.user + t.system,
            "postgres": self._postgres() if self.postgres else {},
            "machine": self._machine_busy(),
        }

    @staticmethod
    def percent(a: dict[str, object], b: dict[str, object]) -> dict[str, float]:
        """Per cent of one core; `other` is what the rest of the machine used meanwhile (noise)."""
        wall = float(b["wall"]) - float(a["wall"])  # type: ignore[arg-type]
        out = {k: (float(b[k]) - float(a[k])) / wall * 100 for k in ("server", "client", "machine")}  # type: ignore[arg-type]
        before, after = a["postgres"], b["postgres"]
        assert isinstance(before, dict) and isinstance(after, dict)
        out["postgres"] = sum(v - before.get(pid, 0.0) for pid, v in after.items()) / wall * 100
        out["other"] = max(0.0, out["machine"] - out["server"] - out["client"] - out["postgres"])
        out["wall"] = wall
        return out


def wait_for_quiet(max_wait: float, threshold: float = 30.0) -> float:
    """Wait (up to max_wait s) until other processes use under `threshold` % of one core."""
    deadline = time.monotonic() + max_wait
    while True:
        a = CpuMeter._machine_busy(), time.perf_counter()
        time.sleep(2)
        busy = (CpuMeter._machine_busy() - a[0]) / (time.perf_counter() - a[1]) * 100
        if busy < threshold or time.monotonic() >= deadline:
            return busy
        print(f"  machine busy ({busy:.0f}% of a core used by others); waiting …", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- load generators


class OpFailed(Exception):
    pass


def expect(response: httpx.Response, status: int, step: str) -> None:
    if response.status_code != status:
        code = ""
        with contextlib.suppress(Exception):
            code = response.json()["error"]["code"]
        raise OpFailed(f"{step}: HTTP {response.status_code} {code}".strip())


Op = Callable[[httpx.AsyncClient, Result], Awaitable[None]]


async def ping_op(client: httpx.AsyncClient, _result: Result) -> None:
    expect(await client.get("/api/v1/ping"), 200, "ping")


class Intake:
    """One intake operation.

    single (the issue's operation): one POST /incidents that records the call (contact), opens the
    incident with its ticket and location, proposes agencies from routing and writes its events.
    full: contact, incident from that contact, then dispatch of the primaries (three requests).
    """

    def __init__(self, seed: int = 112, mode: str = "single") -> None:
        self.seq = itertools.count(1)
        self.rng = random.Random(seed)
        self.succeeded = 0
        self.mode = mode

    async def __call__(self, client: httpx.AsyncClient, result: Result) -> None:
        if self.mode == "single":
            await self._single(client, result)
        else:
            await self._full(client, result)

    async def _single(self, client: httpx.AsyncClient, result: Result) -> None:
        n = next(self.seq)
        t0 = time.perf_counter()
        r = await client.post(
            "/api/v1/incidents",
            json={
                "type": INCIDENT_TYPES[n % len(INCIDENT_TYPES)],
                "lat": round(LUWUK[0] + self.rng.uniform(-0.02, 0.02), 6),
                "lon": round(LUWUK[1] + self.rng.uniform(-0.02, 0.02), 6),
                "contact": {"channel": "phone", "caller_number": f"08123456{n % 10000:04d}",
                            "classification": "emergency"},
            },
        )
        expect(r, 201, "incident")
        if not any(p["role"] == "primary" for p in r.json()["proposed_agencies"]):
            raise OpFailed("incident: no routing proposal")
        result.steps.setdefault("incident+contact", []).append(time.perf_counter() - t0)
        self.succeeded += 1

    async def _full(self, client: httpx.AsyncClient, result: Result) -> None:
        n = next(self.seq)
        t0 = time.perf_counter()
        r = await client.post(
            "/api/v1/contacts",
            json={
                "channel": "phone",
                "caller_number": f"08123456{n % 10000:04d}",
                "classification": "emergency",
            },
        )
        expect(r, 201, "contact")
        t1 = time.perf_counter()
        r = await client.post(
            "/api/v1/incidents",
            json={
                "type": INCIDENT_TYPES[n % len(INCIDENT_TYPES)],
                "lat": round(LUWUK[0] + self.rng.uniform(-0.02, 0.02), 6),
                "lon": round(LUWUK[1] + self.rng.uniform(-0.02, 0.02), 6),
                "contact_id": r.json()["id"],
            },
        )
        expect(r, 201, "incident")
        t2 = time.perf_counter()
        incident = r.json()
        primaries = [p["agency"] for p in incident["proposed_agencies"] if p["role"] == "primary"]
        r = await client.post(f"/api/v1/incidents/{incident['id']}/dispatch", json={"agencies": primaries})
        expect(r, 201, "dispatch")
        t3 = time.perf_counter()
        for step, seconds in (("contact", t1 - t0), ("incident", t2 - t1), ("dispatch", t3 - t2)):
            result.steps.setdefault(step, []).append(seconds)
        self.succeeded += 1


def make_client(base_url: str, token: str, connections: int) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base_url,
        headers={"Authorization": f"Bearer {token}"},
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        timeout=httpx.Timeout(10.0),
    )


async def _attempt(op: Op, client: httpx.AsyncClient, result: Result) -> bool:
    try:
        await op(client, result)
    except OpFailed as exc:
        result.errors[str(exc)] += 1
        return False
    except httpx.HTTPError as exc:
        result.errors[type(exc).__name__] += 1
        return False
    return True


async def closed_loop(result: Result, op: Op, client: httpx.AsyncClient, concurrency: int, seconds: float) -> None:
    """`concurrency` workers, each issuing the next operation as soon as the last one ends."""
    start = time.perf_counter()
    deadline = start + seconds
    in_window = 0

    async def worker() -> None:
        nonlocal in_window
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            if await _attempt(op, client, result):
                t1 = time.perf_counter()
                result.latencies.append(t1 - t0)
                in_window += t1 <= deadline

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    result.elapsed = seconds
    result.finished_in_window = in_window


async def open_loop(
    result: Result, op: Op, client: httpx.AsyncClient, rate: float, seconds: float, drain: float
) -> None:
    """Operations start on a fixed schedule (rate per second) whatever the server does."""
    count = max(1, int(rate * seconds))
    start = time.perf_counter() + 0.05

    async def one(scheduled: float) -> None:
        if await _attempt(op, client, result):
            result.latencies.append(time.perf_counter() - scheduled)

    tasks = []
    for i in range(count):
        scheduled = start + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        result.late_issue_max = max(result.late_issue_max, time.perf_counter() - scheduled)
        tasks.append(asyncio.create_task(one(scheduled)))
    _done, pending = await asyncio.wait(tasks, timeout=drain)
    for task in pending:
        task.cancel()
        result.errors["unfinished at end of drain"] += 1
    await asyncio.gather(*pending, return_exceptions=True)
    result.elapsed = time.perf_counter() - start


# ---------------------------------------------------------------- database and server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cc112_command() -> str:
    for candidate in (Path(sys.executable).parent / "cc112", ROOT / ".venv" / "bin" / "cc112"):
        if candidate.exists():
            return str(candidate)
    found = shutil.which("cc112")
    if not found:
        raise SystemExit("cc112 not found: run `make install` and use .venv/bin/python")
    return found


class PostgresDatabase:
    """A fresh database created (and dropped) through the admin URL."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.name = f"cc112_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        parts = urlsplit(admin_url)
        self.url = urlunsplit((parts.scheme, parts.netloc, "/" + self.name, "", ""))

    async def _admin(self, sql: str) -> str:
        import asyncpg

        conn = await asyncpg.connect(self.admin_url, timeout=10)
        try:
            await conn.execute(sql)
            return str(await conn.fetchval("SELECT version()"))
        finally:
            await conn.close()

    def create(self) -> str:
        return asyncio.run(self._admin(f'CREATE DATABASE "{self.name}"'))

    def drop(self) -> None:
        asyncio.run(self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))


def run_cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own CLI with fixed arguments
        [cc112_command(), *args], env=env, capture_output=True, text=True, timeout=180, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"cc112 {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout.strip()


class Server:
    """`cc112 serve` as a child process in its own process group; always stopped on exit."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = env
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        log = self.log_path.open("wb")
        self.proc = subprocess.Popen(  # noqa: S603 - our own CLI with fixed arguments
            [cc112_command(), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"server exited early:\n{self.log_path.read_text()[-3000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.base_url + "/readyz", timeout=1).status_code == 200:
                    return self
            time.sleep(0.2)
        self.__exit__(None, None, None)
        raise SystemExit("server did not become ready within 30 s")

    def __exit__(self, *_exc: object) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)


# ---------------------------------------------------------------- the run


@dataclass
class Run:
    ping: Result
    intake: Result
    paced: Result
    dispatched_in_db: int
    intake_succeeded: int
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)


async def login(base_url: str) -> str:
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
        r = await client.post("/api/v1/auth/token", data={"username": USERNAME, "password": PASSWORD})
        r.raise_for_status()
        return str(r.json()["access_token"])


async def measure(args: argparse.Namespace, server: Server, meter: CpuMeter) -> Run:
    load_before = os.getloadavg()
    token = await login(server.base_url)
    conc, secs = args.concurrency, args.seconds
    intake = Intake(mode=args.op)

    async def phase(
        result: Result,
        run: Callable[[httpx.AsyncClient], Awaitable[None]],
        warm: Callable[[httpx.AsyncClient], Awaitable[None]] | None,
    ) -> Result:
        async with make_client(server.base_url, token, conc) as client:
            if warm is not None:
                await warm(client)
            before = meter.mark()
            await run(client)
            result.cpu = CpuMeter.percent(before, meter.mark())
        print(
            f"  {result.name:<8} {result.mode:<6} done: {result.ok} ok, {sum(result.errors.values())} errors",
            file=sys.stderr,
            flush=True,
        )
        return result

    ping = Result("ping", "closed", f"{conc} conc")
    await phase(
        ping,
        lambda c: closed_loop(ping, ping_op, c, conc, secs),
        lambda c: closed_loop(Result("warm", "", ""), ping_op, c, conc, args.warmup),
    )
    sustained = Result("intake", "closed", f"{conc} conc")
    await phase(
        sustained,
        lambda c: closed_loop(sustained, intake, c, conc, secs),
        lambda c: closed_loop(Result("warm", "", ""), intake, c, conc, args.warmup),
    )
    rate = args.rate or max(1.0, sustained.rate / 2)
    paced = Result("intake", "open", f"{rate:.1f}/s")
    await phase(paced, lambda c: open_loop(paced, intake, c, rate, secs, drain=30.0), None)

    async with make_client(server.base_url, token, 1) as client:
        status = "dispatched" if args.op == "full" else "verified"
        r = await client.get("/api/v1/incidents", params={"status": status, "limit": 1})
        dispatched = int(r.json()["total"]) if r.status_code == 200 else -1
    return Run(ping, sustained, paced, dispatched, intake.succeeded, load_before)


# ---------------------------------------------------------------- report


def fmt(value: float, digits: int = 1) -> str:
    return "-" if math.isnan(value) else f"{value:.{digits}f}"


def cpu_ms_per_op(r: Result) -> tuple[float, float]:
    """(server, postgres) CPU milliseconds per successful operation over the phase."""
    if not r.ok:
        return math.nan, math.nan
    wall = r.cpu.get("wall", 0.0)
    return tuple(r.cpu.get(k, 0.0) / 100 * wall * 1000 / r.ok for k in ("server", "postgres"))  # type: ignore[return-value]


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "?"


def code_under_test(env: dict[str, str]) -> str:
    """Where the server's `cc112` package is imported from (PYTHONPATH can point elsewhere)."""
    done = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", "import cc112; print(cc112.__file__)"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return str(Path(done.stdout.strip()).parents[1]) if done.returncode == 0 else "?"


def report(args: argparse.Namespace, run: Run, db_version: str, code: str) -> bool:
    rows = (run.ping, run.intake, run.paced)
    pg = args.db == "postgres"
    print()
    print(f"cc112 intake benchmark — {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}")
    print(f"machine: {os.cpu_count()} CPUs, {cpu_model()}; Python {platform.python_version()}")
    print(
        f"database: {args.db} ({db_version}); one uvicorn worker; "
        f"{args.seconds:g} s per phase, {args.warmup:g} s warm-up, concurrency {args.concurrency}"
    )
    after = os.getloadavg()
    print(f"code under test: {code}; load average before {run.load_before[0]:.2f}, after {after[0]:.2f} (1 min)")
    print()
    head = "| phase | loop | load | ok | rate/s | p50 ms | p99 ms | max ms | errors | CPU server | CPU client |"
    head += " CPU postgres |" if pg else ""
    head += " CPU other |"
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for r in rows:
        errors = sum(r.errors.values())
        line = (
            f"| {r.name} | {r.mode} | {r.load} | {r.ok} | {r.rate:.1f} | {fmt(r.pct(50))} | "
            f"{fmt(r.pct(99))} | {fmt(r.pct(100))} | {errors} | "
            f"{r.cpu.get('server', 0):.0f}% | {r.cpu.get('client', 0):.0f}% |"
        )
        line += f" {r.cpu.get('postgres', 0):.0f}% |" if pg else ""
        line += f" {r.cpu.get('other', 0):.0f}% |"
        print(line)
    print()
    print(
        "intake steps (ms, p50 / p99): "
        + "; ".join(
            f"{loop.mode} {step} {fmt(percentile(sorted(v), 50) * 1000)} / {fmt(percentile(sorted(v), 99) * 1000)}"
            for loop in (run.intake, run.paced)
            for step, v in loop.steps.items()
        )
    )
    for r in rows:
        for message, n in r.errors.most_common(5):
            print(f"errors in {r.name}/{r.mode}: {n} × {message}")
    if run.paced.late_issue_max > 0.005:
        print(
            f"note: the client issued some open-loop operations up to "
            f"{run.paced.late_issue_max * 1000:.0f} ms late (included in the latencies)"
        )
    print(
        f"check: {run.intake_succeeded} intake operations succeeded (with warm-up); "
        f"{run.dispatched_in_db} incidents are in the database (dispatched for --op full)"
    )
    cost = {r.mode + r.name: cpu_ms_per_op(r) for r in rows}
    ping_cost, intake_cost = cost["closedping"], cost["closedintake"]
    print(
        f"server CPU per operation (noise-robust): ping {ping_cost[0]:.2f} ms, intake {intake_cost[0]:.2f} ms "
        f"(closed), {cost['openintake'][0]:.2f} ms (open)"
        + (f"; postgres CPU per intake {intake_cost[1]:.2f} ms" if pg else "")
        + f" — were server CPU the only limit, the ratio would be {ping_cost[0] / intake_cost[0]:.3f}"
    )
    ratio = run.intake.rate / run.ping.rate if run.ping.rate else 0.0
    p99 = run.paced.pct(99)
    ratio_ok = ratio >= TARGET_RATIO
    p99_ok = not math.isnan(p99) and p99 <= TARGET_P99_MS and not run.paced.errors
    consistent = run.intake_succeeded == run.dispatched_in_db
    print()
    print(
        f"ratio intake ops/s ÷ ping req/s = {run.intake.rate:.1f} ÷ {run.ping.rate:.1f} = "
        f"{ratio:.3f}   target ≥ {TARGET_RATIO}: {'PASS' if ratio_ok else 'MISS'}"
    )
    print(
        f"open-loop p99 at {run.paced.load} = {fmt(p99)} ms   target ≤ {TARGET_P99_MS:g} ms: "
        f"{'PASS' if p99_ok else 'MISS'}"
    )
    if not consistent:
        print("WARNING: the number of dispatched incidents does not match the successful operations")
    return ratio_ok and p99_ok and consistent


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    p.add_argument("--op", choices=("single", "full"), default="single",
                   help="single: one request records the call and opens the incident (the issue's operation); "
                        "full: contact, incident, dispatch (three requests)")
    p.add_argument("--seconds", type=float, default=15.0, help="length of each measured phase")
    p.add_argument("--warmup", type=float, default=2.0, help="unmeasured warm-up before closed loops")
    p.add_argument("--concurrency", type=int, default=16, help="closed-loop workers = client connections")
    p.add_argument(
        "--rate", type=float, default=None, help="open-loop operations/s (default: half the measured sustained rate)"
    )
    p.add_argument(
        "--pg-admin-url",
        default=os.environ.get("CC112_BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="PostgreSQL URL used to create and drop the benchmark database",
    )
    p.add_argument(
        "--wait-quiet",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="first wait up to this long for other processes to use under 30%% of a core",
    )
    p.add_argument("--keep-log", action="store_true", help="print the server log path and keep it")
    args = p.parse_args(argv)
    if not (0 < args.seconds <= 600 and 0 <= args.warmup <= 60 and 1 <= args.concurrency <= 512):
        p.error("--seconds must be in (0, 600], --warmup in [0, 60], --concurrency in [1, 512]")
    return args


def run_loop(coro: Awaitable[Run]) -> Run:
    try:
        import uvloop  # the client should cost as little CPU as it can on a 2-core machine
    except ImportError:
        return asyncio.run(coro)  # type: ignore[arg-type]
    return uvloop.run(coro)  # type: ignore[arg-type,no-any-return]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="cc112-bench-"))
    pg = PostgresDatabase(args.pg_admin_url) if args.db == "postgres" else None
    env = {
        **os.environ,
        "CC112_DATA_DIR": str(tmp),
        "CC112_ENV": "development",
        "CC112_RATE_LIMIT_PER_MINUTE": "10000000",
    }
    env.pop("CC112_REDIS_URL", None)
    budget = 3 * (args.seconds + args.warmup) + 120
    try:
        if pg is not None:
            db_version = pg.create().split(" on ")[0]
            env["CC112_DATABASE_URL"] = pg.url
        else:
            import sqlite3

            db_version = f"SQLite {sqlite3.sqlite_version}, WAL"
            env["CC112_DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
        print(f"preparing {args.db} database in {tmp} …", file=sys.stderr, flush=True)
        run_cli(env, "db", "upgrade")
        run_cli(env, "seed")
        run_cli(env, "user", "add", "--username", USERNAME, "--password", PASSWORD, "--role", "operator")
        if args.wait_quiet:
            busy = wait_for_quiet(args.wait_quiet)
            print(f"machine busy before start: {busy:.0f}% of a core", file=sys.stderr, flush=True)
        with Server(env, tmp / "server.log") as server:
            assert server.proc is not None
            meter = CpuMeter(server.proc.pid, postgres=pg is not None)
            print(f"server pid {server.proc.pid} at {server.base_url}; measuring …", file=sys.stderr, flush=True)
            run = run_loop(asyncio.wait_for(measure(args, server, meter), timeout=budget))
        passed = report(args, run, db_version, code_under_test(env))
    finally:
        if pg is not None:
            pg.drop()
        if args.keep_log:
            print(f"server log kept in {tmp / 'server.log'}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
