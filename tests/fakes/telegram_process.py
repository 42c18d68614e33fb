"""The fake Telegram Bot API server in a process of its own, for tests that run `nashra`
processes: they all talk to one server, which enforces the limits over all of them.

    python -m tests.fakes.telegram_process --first-user 1000000 --users 200 --paid-rate 100

Prints one JSON line (its base URL and token), then answers commands on stdin: "dump" prints
the calls made so far as one JSON line; "quit" (or the end of input) stops it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.fakes.telegram import FakeTelegram

REPO = Path(__file__).resolve().parents[2]
# The calls a dump lists: sends, and the updates' requests.
DUMPED = frozenset({"sendMessage", "sendPhoto", "getUpdates", "setWebhook", "deleteWebhook"})


async def serve(args: argparse.Namespace) -> None:
    fake = FakeTelegram(paid_rate=args.paid_rate, global_rate=args.global_rate)
    await fake.start()
    for user in range(args.first_user, args.first_user + args.users):
        fake.add_user(user, f"قارئ {user}")
    print(json.dumps({"base_url": fake.base_url, "token": fake.token}), flush=True)
    loop = asyncio.get_running_loop()
    while True:
        command = (await loop.run_in_executor(None, sys.stdin.readline)).strip()
        if command == "dump":
            calls = [
                {
                    "method": call.method,
                    "status": call.status,
                    "time": call.time,
                    "chat_id": call.params.get("chat_id"),
                    "text": call.params.get("text") or call.params.get("caption"),
                }
                for call in fake.calls
                if call.method in DUMPED
            ]
            print(json.dumps({"calls": calls}, ensure_ascii=False), flush=True)
        else:
            break
    await fake.stop()


@dataclass
class Dump:
    calls: list[dict[str, Any]]

    def of(self, method: str) -> list[dict[str, Any]]:
        return [call for call in self.calls if call["method"] == method]


class TelegramProcess:
    """A client of the server's process: its address and token, and its dumps."""

    def __init__(self, process: asyncio.subprocess.Process, base_url: str, token: str) -> None:
        self.process = process
        self.base_url = base_url
        self.token = token
        self._lock = asyncio.Lock()

    async def dump(self) -> Dump:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        async with self._lock:
            self.process.stdin.write(b"dump\n")
            await self.process.stdin.drain()
            line = await self.process.stdout.readline()
        return Dump(json.loads(line)["calls"])


@asynccontextmanager
async def telegram_process(
    *, users: range, paid_rate: int = 1000, global_rate: int = 30
) -> AsyncIterator[TelegramProcess]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.fakes.telegram_process",
        "--first-user", str(users.start), "--users", str(len(users)),
        "--paid-rate", str(paid_rate), "--global-rate", str(global_rate),
        cwd=REPO, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        limit=64 * 1024 * 1024,  # a dump is one line
    )  # fmt: skip
    try:
        assert process.stdout is not None
        first = json.loads(await asyncio.wait_for(process.stdout.readline(), 30))
        yield TelegramProcess(process, first["base_url"], first["token"])
    finally:
        if process.returncode is None:
            if process.stdin is not None:
                process.stdin.write(b"quit\n")
                process.stdin.close()
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--first-user", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=0)
    parser.add_argument("--paid-rate", type=int, default=1000)
    parser.add_argument("--global-rate", type=int, default=30)
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
