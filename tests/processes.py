"""`nashra run` as real processes, for tests and benchmarks of several processes on one
PostgreSQL: each with its own log file, stopped with SIGTERM (or killed) at the end."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STOP_SECONDS = 30.0  # a process told to stop has this long before it is killed


def nashra_environment(
    *, database_url: str, base_url: str, token: str, **settings: object
) -> dict[str, str]:
    """The environment of one process: the settings given, and nothing from a .env file
    (the processes run in a directory of their own) or from the developer's environment."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "PYTHONPATH", "VIRTUAL_ENV")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    env.update(
        PTB_TIMEDELTA="true",
        BOT_TOKEN=token,
        TELEGRAM_API_BASE_URL=base_url,
        DATABASE_URL=database_url,
        ALLOW_PRIVATE_FEEDS="true",
        PAGES_PER_POLL="0",
        PYTHONUNBUFFERED="1",
    )
    env.update({name.upper(): str(value) for name, value in settings.items()})
    return env


class Processes:
    """The running processes, by pid."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.running: dict[int, asyncio.subprocess.Process] = {}
        self.logs: dict[int, Path] = {}

    async def start(self, env: Mapping[str, str], name: str) -> asyncio.subprocess.Process:
        log = self.workdir / f"{name}.log"
        with log.open("wb") as out:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run",
                cwd=self.workdir, env=dict(env), stdout=out, stderr=asyncio.subprocess.STDOUT,
            )  # fmt: skip
        self.running[process.pid] = process
        self.logs[process.pid] = log
        return process

    def kill(self, pid: int) -> None:
        """kill -9: no cleanup, no goodbye to the database."""
        self.running[pid].send_signal(signal.SIGKILL)

    async def stop_all(self) -> dict[int, int]:
        """SIGTERM to every process still running; their exit codes."""
        for process in self.running.values():
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        codes = {}
        for pid, process in self.running.items():
            try:
                codes[pid] = await asyncio.wait_for(process.wait(), STOP_SECONDS)
            except TimeoutError:
                process.kill()
                codes[pid] = await process.wait()
        return codes

    def tail(self, lines: int = 40) -> str:
        """The end of every log: what a failing test prints."""
        parts = []
        for pid, log in self.logs.items():
            text = log.read_text(errors="replace").splitlines()[-lines:]
            parts.append(f"--- process {pid} ({log.name})\n" + "\n".join(text))
        return "\n".join(parts)


@asynccontextmanager
async def nashra_processes(workdir: Path) -> AsyncIterator[Processes]:
    """Processes logging into `workdir` (which must exist), all stopped at the end."""
    processes = Processes(workdir)
    try:
        yield processes
    finally:
        await processes.stop_all()


async def wait_until(
    condition: Callable[[], object], seconds: float, *, what: str, every: float = 0.2
) -> None:
    """Check `condition` (sync or async) until it holds: another process's progress, seen
    from outside, has no event to wait on."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        result = condition()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {seconds:g} s waiting for {what}")
        await asyncio.sleep(every)
