"""Live fan-out benchmark: delay from an incident change to its arrival at every SSE client.

    .venv/bin/python bench/fanout.py --bus local --clients 500
    .venv/bin/python bench/fanout.py --bus redis --clients 500   # two instances sharing DB and Redis

Prepares a fresh SQLite database (`cc112 db upgrade`, `seed`, an operator and a leader), starts
one `cc112 serve` (in-process bus) or two (Redis bus; the operator writes to instance A, every
client listens on instance B), connects N Server-Sent-Events clients (a small HTTP/1.1 client on
raw sockets, so the client side costs little CPU), then creates incidents one at a time. For each
incident.created event every client records its arrival; the delay is arrival − the event's own
time (`at`, stamped in the transaction that made the change; client and server share the clock).

Baseline in the same run, same bus: local — one publish reaching N in-process subscriptions;
redis — PUBLISH on one connection until a SUBSCRIBEd connection receives it.
Targets (issue): p99 ≤ 100 ms with the in-process bus, ≤ 250 ms across two instances over Redis.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import intake as harness  # noqa: E402 - the shared benchmark harness (servers, databases, CLI)

LEADER = ("bench_leader", "bench-leader-112")
TARGET_MS = {"local": 100.0, "redis": 250.0}


class SSEClient:
    """One EventSource-like connection; records (ticket, delay) for incident.created events."""

    def __init__(self, host: str, port: int, token: str) -> None:
        self.host, self.port, self.token = host, port, token
        self.ready = asyncio.Event()
        self.arrivals: dict[str, float] = {}
        self.task: asyncio.Task[None] | None = None

    async def run(self) -> None:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        writer.write((f"GET /api/v1/events/stream HTTP/1.1\r\nHost: {self.host}\r\nAccept: text/event-stream\r\n"
                      f"Authorization: Bearer {self.token}\r\n\r\n").encode())
        await writer.drain()
        while (await reader.readline()) not in (b"\r\n", b""):
            pass  # response headers
        buffer = b""
        try:
            while True:
                size_line = await reader.readline()
                if not size_line:
                    return
                size = int(size_line.strip() or b"0", 16)
                if size == 0:
                    return
                buffer += await reader.readexactly(size)
                await reader.readexactly(2)
                while b"\n\n" in buffer or b"\r\n\r\n" in buffer:
                    sep = b"\r\n\r\n" if b"\r\n\r\n" in buffer and (b"\n\n" not in buffer or buffer.index(b"\r\n\r\n") < buffer.index(b"\n\n")) else b"\n\n"
                    frame, buffer = buffer.split(sep, 1)
                    self._frame(frame.decode())
        finally:
            writer.close()

    def _frame(self, frame: str) -> None:
        received = time.time()
        event = data = ""
        for line in frame.replace("\r\n", "\n").split("\n"):
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data += line[5:].strip()
        if event == "ready":
            self.ready.set()
        elif event == "incident.created":
            message = json.loads(data)
            sent = datetime.fromisoformat(message["at"]).timestamp()
            self.arrivals[message["payload"]["ticket"]] = (received - sent) * 1000


async def token_for(base_url: str, user: str, password: str) -> str:
    async with httpx.AsyncClient(base_url=base_url, timeout=20) as client:
        r = await client.post("/api/v1/auth/token", data={"username": user, "password": password})
        r.raise_for_status()
        return str(r.json()["access_token"])


async def baseline(bus: str, clients: int, rounds: int, redis_url: str | None) -> list[float]:
    """Bare publish → receive on the same kind of bus, in this process."""
    delays: list[float] = []
    if bus == "local":
        from cc112.events.bus import LocalBus

        local = LocalBus()
        subs = [local.subscribe() for _ in range(clients)]
        for i in range(rounds):
            t0 = time.perf_counter()
            await local.publish({"id": i})
            for sub in subs:
                await sub.get()
            delays.append((time.perf_counter() - t0) * 1000)
        return delays
    import redis.asyncio as aioredis

    assert redis_url
    pub, sub_conn = aioredis.from_url(redis_url), aioredis.from_url(redis_url)
    pubsub = sub_conn.pubsub(ignore_subscribe_messages=True)
    await pubsub.subscribe("cc112:bench-baseline")
    try:
        for i in range(rounds):
            t0 = time.perf_counter()
            await pub.publish("cc112:bench-baseline", json.dumps({"id": i}))
            while (await pubsub.get_message(timeout=5)) is None:
                pass
            delays.append((time.perf_counter() - t0) * 1000)
    finally:
        await pubsub.aclose()
        await pub.aclose()
        await sub_conn.aclose()
    return delays


async def measure(args: argparse.Namespace, writer_url: str, listener_url: str) -> dict[str, object]:
    op_token = await token_for(writer_url, harness.USERNAME, harness.PASSWORD)
    leader_token = await token_for(listener_url, *LEADER)
    port = int(listener_url.rsplit(":", 1)[1])
    clients = [SSEClient("127.0.0.1", port, leader_token) for _ in range(args.clients)]
    for c in clients:
        c.task = asyncio.create_task(c.run())
    await asyncio.wait_for(asyncio.gather(*(c.ready.wait() for c in clients)), timeout=120)
    tickets = []
    async with httpx.AsyncClient(base_url=writer_url, timeout=20,
                                 headers={"Authorization": f"Bearer {op_token}"}) as api:
        for n in range(args.changes):
            r = await api.post("/api/v1/incidents", json={"type": "kebakaran_bangunan", "lat": -0.95, "lon": 122.79,
                                                          "description": f"fan-out {n}"})
            r.raise_for_status()
            tickets.append(r.json()["ticket"])
            await asyncio.sleep(args.gap)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(len(c.arrivals) < len(tickets) for c in clients):
        await asyncio.sleep(0.2)
    for c in clients:
        if c.task:
            c.task.cancel()
    await asyncio.gather(*(c.task for c in clients if c.task), return_exceptions=True)
    delays = sorted(d for c in clients for t, d in c.arrivals.items() if t in tickets)
    last = sorted(max(c.arrivals.get(t, float("inf")) for c in clients) for t in tickets)
    missing = len(tickets) * len(clients) - len(delays)
    base = sorted(await baseline(args.bus, args.clients, args.changes,
                                 os.environ.get("CC112_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")))
    return {"delays": delays, "last": last, "missing": missing, "baseline": base}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bus", choices=("local", "redis"), default="local")
    p.add_argument("--clients", type=int, default=500)
    p.add_argument("--changes", type=int, default=40)
    p.add_argument("--gap", type=float, default=0.25, help="seconds between changes")
    p.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    p.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    p.add_argument("--pg-admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = p.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="cc112-fanout-"))
    env = {**os.environ, "CC112_DATA_DIR": str(tmp), "CC112_ENV": "development",
           "CC112_RATE_LIMIT_PER_MINUTE": "10000000", "CC112_DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
           "CC112_DEADLINE_SWEEP_SECONDS": "0"}
    env.pop("CC112_REDIS_URL", None)
    pg = harness.PostgresDatabase(args.pg_admin_url) if args.db == "postgres" else None
    if pg is not None:
        pg.create()
        env["CC112_DATABASE_URL"] = pg.url
    if args.bus == "redis":
        env["CC112_REDIS_URL"] = args.redis_url
        os.environ["CC112_BENCH_REDIS_URL"] = args.redis_url
    try:
        harness.run_cli(env, "db", "upgrade")
        harness.run_cli(env, "seed")
        harness.run_cli(env, "user", "add", "--username", harness.USERNAME, "--password", harness.PASSWORD,
                        "--role", "operator")
        harness.run_cli(env, "user", "add", "--username", LEADER[0], "--password", LEADER[1], "--role", "leader")
        with contextlib.ExitStack() as stack:
            a = stack.enter_context(harness.Server(env, tmp / "a.log"))
            b = stack.enter_context(harness.Server(env, tmp / "b.log")) if args.bus == "redis" else a
            result = asyncio.run(asyncio.wait_for(measure(args, a.base_url, b.base_url), timeout=600))
    finally:
        if pg is not None:
            pg.drop()
        shutil.rmtree(tmp, ignore_errors=True)
    delays, last, base = result["delays"], result["last"], result["baseline"]  # type: ignore[assignment]
    pc = harness.percentile
    target = TARGET_MS[args.bus]
    print(f"cc112 fan-out benchmark — {args.db}, bus {args.bus}, {args.clients} SSE clients, {args.changes} incidents "
          f"({'two instances over Redis' if args.bus == 'redis' else 'one instance, in-process bus'}), "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print("| measure | n | p50 ms | p99 ms | max ms |")
    print("|---|---|---|---|---|")
    print(f"| change → each client | {len(delays)} | {pc(delays, 50):.1f} | {pc(delays, 99):.1f} | {max(delays):.1f} |")  # type: ignore[arg-type]
    print(f"| change → last client | {len(last)} | {pc(last, 50):.1f} | {pc(last, 99):.1f} | {max(last):.1f} |")  # type: ignore[arg-type]
    print(f"| bare bus publish → receive ({'all ' + str(args.clients) + ' subscribers' if args.bus == 'local' else 'one subscriber'}) "
          f"| {len(base)} | {pc(base, 50):.2f} | {pc(base, 99):.2f} | {max(base):.2f} |")  # type: ignore[arg-type]
    print(f"deliveries missing: {result['missing']}")
    ok = pc(delays, 99) <= target and result["missing"] == 0  # type: ignore[arg-type]
    print(f"p99 change → each client = {pc(delays, 99):.1f} ms; target ≤ {target:.0f} ms: {'PASS' if ok else 'MISS'}")  # type: ignore[arg-type]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
