"""Several processes on one PostgreSQL (issue 10): the cold poll with one and with two
polling processes, and how long a killed sender takes to be replaced.

    python -m bench.scale [--feeds 2000] [--entries 30] [--kills 5] [--postgres URL]

1. Cold poll. The feeds of bench/poll.py (the same generator and seed) are served by a local
   server in a process of its own. In a new schema, the feeds (primed) and the channel of
   bench/poll.py; then N polling processes (1, then 2), each with its own Fetcher and
   ParserPool(2), run `Poller.tick()` (500 feeds leased per tick, SKIP LOCKED) until a tick
   finds nothing due. Reported: the wall time from "go" to the last process done, the ratio of
   two processes to one, and the feeds each process polled.
2. Failover. The fake Telegram server in a process of its own, three `nashra run` processes on
   a new database, 6,000 deliveries planned. `--kills` times: the sender is killed with -9
   (and a new process started in its place), and the time from the kill to the next message
   Telegram accepts is measured. Reported: median, minimum and maximum.

The machine's cores bound the first ratio: one process's two parser workers already use two
cores. Numbers are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from sqlalchemy import make_url, select, text

from bench.poll import ServerProcess, add_feeds
from bench.schemas import scratch_schema
from bot.feeds.fetch import Fetcher, FetchLimits
from bot.feeds.poller import Poller, PollSettings
from bot.feeds.workers import ParserPool
from storage.db import make_engine, make_sessions, upgrade
from storage.models import ProcessBeat
from tests.fakes.telegram_process import TelegramProcess, telegram_process
from tests.processes import nashra_environment, nashra_processes, wait_until
from tests.test_scale_out import plan_fan_out

DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
CONCURRENCY = FetchLimits().concurrency
FAILOVER_RATE = 100  # paid broadcasts: sends go on between the kills


# --- a polling process ------------------------------------------------------------------------


async def poll_until_done(url: str, schema: str, entries: int) -> dict[str, float]:
    """One polling process: on "go", tick until nothing is due; its share, as JSON."""
    engine = make_engine(url, connect_args={"server_settings": {"search_path": schema}})
    fetcher = Fetcher(
        FetchLimits(concurrency=CONCURRENCY, per_host=CONCURRENCY, allow_private=True)
    )
    parsers = ParserPool(2)
    settings = PollSettings(max_posts=entries, max_entry_age=timedelta(days=36_500))
    poller = Poller(make_sessions(engine), fetcher, parsers, settings)
    try:
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        start, polled = time.perf_counter(), 0
        while outcomes := (await poller.tick()).outcomes:
            polled += len(outcomes)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return {
            "feeds": polled,
            "seconds": time.perf_counter() - start,
            "cpu": usage.ru_utime + usage.ru_stime + children.ru_utime + children.ru_stime,
        }
    finally:
        parsers.close()
        await fetcher.close()
        await engine.dispose()


async def cold_poll(url: str, server: ServerProcess, feeds: int, entries: int, n: int) -> dict:
    schema = await scratch_schema(url, f"nashra_scale_{os.getpid()}_{n}")
    try:
        await upgrade(schema.engine)
        urls = [server.url(f"feeds/{index:04d}.xml") for index in range(feeds)]
        await add_feeds(make_sessions(schema.engine), urls, keywords=True)
        name = f"nashra_scale_{os.getpid()}_{n}"
        workers = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bench.scale",
                "--poll-worker",
                name,
                "--postgres",
                url,
                "--entries",
                str(entries),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
            )  # fmt: skip
            for _ in range(n)
        ]
        for worker in workers:
            assert worker.stdout is not None
            assert (await worker.stdout.readline()).strip() == b"ready"
        start = time.perf_counter()
        for worker in workers:
            assert worker.stdin is not None
            worker.stdin.write(b"go\n")
            await worker.stdin.drain()
        shares = []
        for worker in workers:
            out, _ = await worker.communicate()
            shares.append(json.loads(out.decode().strip().splitlines()[-1]))
        wall = time.perf_counter() - start
        return {"processes": n, "wall": wall, "shares": shares}
    finally:
        await schema.cleanup()


# --- failover -----------------------------------------------------------------------------------


async def fresh_database(url: str, name: str) -> str:
    admin = make_engine(url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


async def drop_database(url: str, name: str) -> None:
    admin = make_engine(url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


async def failovers(url: str, kills: int, workdir: Path) -> list[float]:
    name = f"nashra_scale_failover_{os.getpid()}"
    database = await fresh_database(url, name)
    engine = make_engine(database)
    readers = range(5_000_001, 5_000_201)
    times: list[float] = []
    try:
        await upgrade(engine)
        sessions = make_sessions(engine)
        for batch in range(3):  # 10 articles each time: 6,000 deliveries to 200 readers
            await plan_fan_out(engine, readers, batch)
        async with (
            telegram_process(users=readers, paid_rate=FAILOVER_RATE) as telegram,
            nashra_processes(workdir) as processes,
        ):
            env = nashra_environment(
                database_url=database, base_url=telegram.base_url, token=telegram.token,
                global_rate_per_second=FAILOVER_RATE, paid_broadcast="true",
                heartbeat_seconds=1, reply_headroom_per_second=10,
            )  # fmt: skip
            for number in range(3):
                await processes.start(env, f"nashra-{number}")
            for kill in range(kills):

                async def sender() -> int | None:
                    async with sessions() as session:
                        pids = (await session.scalars(
                            select(ProcessBeat.pid).where(ProcessBeat.role == "sender")
                        )).all()  # fmt: skip
                    alive = [p for p in pids if processes.running[p].returncode is None]
                    return alive[0] if len(alive) == 1 else None

                await wait_until(sender, 60, what="a sender")
                victim = await sender()
                assert victim is not None
                await sent_since(telegram, time.monotonic(), 60)  # it is sending
                processes.kill(victim)
                killed = time.monotonic()
                await processes.running[victim].wait()
                times.append(await sent_since(telegram, killed, 60) - killed)
                print(f"  kill {kill + 1}: next message after {times[-1]:.2f} s", flush=True)
                await processes.start(env, f"nashra-{3 + kill}")
    finally:
        await engine.dispose()
        await drop_database(url, name)
    return times


async def sent_since(telegram: TelegramProcess, moment: float, seconds: float) -> float:
    """The time of the first message Telegram accepted after `moment`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while loop.time() < deadline:
        dump = await telegram.dump()
        after = [c["time"] for c in dump.of("sendMessage") if c["status"] == 200]
        after = [t for t in after if t > moment]
        if after:
            return min(after)
        await asyncio.sleep(0.25)
    raise TimeoutError("no message was sent")


# --- the report ---------------------------------------------------------------------------------


async def run(args: argparse.Namespace) -> None:
    machine = f"{os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"bench.scale: {machine}; {args.feeds} feeds × {args.entries} entries", flush=True)
    server = ServerProcess(args.feeds, args.entries)
    try:
        rounds = []
        for n in (1, 2):
            result = await cold_poll(args.postgres, server, args.feeds, args.entries, n)
            rounds.append(result)
            shares = ", ".join(
                f"{s['feeds']} feeds in {s['seconds']:.1f} s" for s in result["shares"]
            )
            print(f"cold poll, {n} process(es): {result['wall']:.2f} s ({shares})", flush=True)
    finally:
        server.stop()
    ratio = rounds[1]["wall"] / rounds[0]["wall"]
    print(f"two processes / one: {ratio:.2f}× the wall time", flush=True)
    with tempfile.TemporaryDirectory(prefix="nashra-scale-") as folder:
        times = await failovers(args.postgres, args.kills, Path(folder))
    print(
        f"sender failover over {len(times)} kills: median {statistics.median(times):.2f} s, "
        f"min {min(times):.2f} s, max {max(times):.2f} s",
        flush=True,
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=2000)
    parser.add_argument("--entries", type=int, default=30)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--postgres", default=os.environ.get("DATABASE_URL_TEST", DEFAULT_POSTGRES))
    parser.add_argument("--poll-worker", metavar="SCHEMA", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.poll_worker:
        share = asyncio.run(poll_until_done(args.postgres, args.poll_worker, args.entries))
        print(json.dumps(share), flush=True)
        return
    signal.signal(signal.SIGINT, signal.default_int_handler)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
