"""The heartbeat table: which `nashra` processes are alive on this database, and which one
is the sender."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage.models import HOST_CHARS, ProcessBeat

SENDER, WORKER = "sender", "worker"


async def beat(
    session: AsyncSession,
    process_id: str,
    *,
    host: str,
    pid: int,
    role: str,
    started_at: datetime,
    now: datetime,
) -> None:
    """Say that the process is alive now, in this role (inserted on its first beat)."""
    values = {
        "id": process_id,
        "host": host[:HOST_CHARS],
        "pid": pid,
        "role": role,
        "started_at": started_at,
        "seen_at": now,
    }
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(ProcessBeat).values(values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[ProcessBeat.id], set_={"role": role, "seen_at": now}
        )
    )


async def live(session: AsyncSession, since: datetime) -> Sequence[ProcessBeat]:
    """The processes heard from at `since` or later, oldest first."""
    query = (
        select(ProcessBeat)
        .where(ProcessBeat.seen_at >= since)
        .order_by(ProcessBeat.started_at, ProcessBeat.id)
    )
    return (await session.scalars(query)).all()


async def forget(session: AsyncSession, process_id: str) -> None:
    """A process stopped: its row goes."""
    await session.execute(delete(ProcessBeat).where(ProcessBeat.id == process_id))


async def forget_silent(session: AsyncSession, before: datetime) -> int:
    """Rows of processes not heard from since `before` (killed, or their host gone)."""
    result = await session.execute(delete(ProcessBeat).where(ProcessBeat.seen_at < before))
    return int(getattr(result, "rowcount", 0) or 0)


async def try_lock(connection: AsyncConnection, key: int) -> bool:
    """Take the session-level advisory lock `key` if nobody holds it (PostgreSQL): held until
    the connection ends. `connection` is in autocommit, a connection of its own."""
    return bool(await connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}))


async def keep_alive(connection: AsyncConnection) -> None:
    """Make the server drop this connection within about 15 s of its client vanishing."""
    for setting, value in (
        ("tcp_keepalives_idle", "5"),
        ("tcp_keepalives_interval", "2"),
        ("tcp_keepalives_count", "3"),
        ("tcp_user_timeout", "15000"),  # milliseconds
    ):
        await connection.execute(text(f"SET {setting} = {value}"))


async def ping(connection: AsyncConnection) -> None:
    """Raise unless the connection (and so the lock it holds) is still there."""
    await connection.scalar(text("SELECT 1"))
