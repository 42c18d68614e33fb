"""The fake Telegram Bot API server in its own process, so that its CPU is not counted as
the sender's. Prints its base URL and token; on stdin, "stats" prints counters as JSON and
"reset" clears them; "quit" (or end of input) stops it."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from tests.fakes.telegram import FakeTelegram


async def serve(users: int, first_user: int) -> None:
    fake = FakeTelegram()
    await fake.start()
    for user in range(first_user, first_user + users):
        fake.add_user(user, f"قارئ {user}")
    print(json.dumps({"base_url": fake.base_url, "token": fake.token}), flush=True)
    loop = asyncio.get_running_loop()
    mark = 0
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        command = line.strip()
        if command == "stats":
            calls = fake.calls[mark:]
            sends = [c for c in calls if c.method == "sendMessage"]
            ok = [c for c in sends if c.status == 200]
            span = ok[-1].time - ok[0].time if len(ok) > 1 else 0.0
            print(
                json.dumps(
                    {
                        "sends": len(sends),
                        "delivered": len(ok),
                        "429": sum(1 for c in sends if c.status == 429),
                        "other_errors": sum(1 for c in sends if c.status not in (200, 429)),
                        "first_to_last_seconds": span,
                    }
                ),
                flush=True,
            )
        elif command == "reset":
            mark = len(fake.calls)
            for chat in fake.chats.values():
                chat.messages.clear()
            fake._send_times.clear()  # a new phase starts with fresh rate windows
            print("{}", flush=True)
        else:
            break
    await fake.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--first-user", type=int, default=1_000_000)
    args = parser.parse_args()
    asyncio.run(serve(args.users, args.first_user))


if __name__ == "__main__":
    main()
