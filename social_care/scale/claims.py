"""Claiming outbox rows across processes (scaled out only; the embedded default has one sender).

A reply is sent by the process that claims it: in one transaction its row is locked with
``SELECT … FOR UPDATE SKIP LOCKED`` (a reply another process is claiming at this instant is skipped, not
waited for) and the lease ``reply:<id>`` is taken; the lease is renewed while the send runs. A second
task for the same reply (a redelivery, the sweep, a follow-up pass) finds it claimed and leaves it. A
sender killed mid-send loses the lease when it expires; the next claim finds the reply ``sending`` and
the outbox checks the platform before any resend (the reconcile path), so the customer gets one reply.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from ..models import ReplyStatus
from ..store.tables import Reply
from . import enabled
from .leases import held
from .tables import Lease

if TYPE_CHECKING:
    from ..app import App

__all__ = ["REPLY_LEASE_SECONDS", "reply_claim", "due_reply_ids"]

REPLY_LEASE_SECONDS = 20.0


@contextmanager
def reply_claim(app: App, reply_id: int) -> Iterator[bool]:
    """True while this process may send ``reply_id``; always True in the embedded default."""
    if not enabled(app.settings):
        yield True
        return

    def lock_row(s: Session) -> bool:
        query = select(Reply.id).where(Reply.id == reply_id)
        if s.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        if s.exec(query).first() is not None:
            return True
        # skipped because another process holds the row lock, or there is no such reply (the outbox says so)
        return s.exec(select(Reply.id).where(Reply.id == reply_id)).first() is None

    with held(app.engine, f"reply:{reply_id}", ttl=REPLY_LEASE_SECONDS, precheck=lock_row) as lease:
        yield bool(lease)


def due_reply_ids(app: App, *, limit: int = 200) -> list[int]:
    """Replies the outbox should look at now (approved, or left ``sending``), oldest approval first,
    without those another process has claimed (row locked now, or its lease unexpired)."""
    now = app.now()
    with app.session() as s:
        query = (
            select(Reply.id)
            .where(col(Reply.status).in_([ReplyStatus.APPROVED.value, ReplyStatus.SENDING.value]))
            .where(col(Reply.next_attempt_at).is_(None) | (col(Reply.next_attempt_at) <= now))
            .order_by(col(Reply.approved_at), col(Reply.id))
            .limit(limit)
        )
        if s.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        ids = [i for i in s.exec(query).all() if i is not None]
        if not ids:
            return []
        names = [f"reply:{i}" for i in ids]
        leased = select(Lease.name).where(col(Lease.name).in_(names), col(Lease.expires_at) > now)
        busy = set(s.exec(leased).all())
    return [i for i in ids if f"reply:{i}" not in busy]
