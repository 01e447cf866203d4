"""What every responder is: one channel, one length limit, one ``send``, and a way to find a reply
that may already have gone out (to reconcile an outbox row a crash left in ``sending``)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Protocol

from social_care.models import Channel, Delivery, ReplyTarget

__all__ = ["Responder"]



class Responder(Protocol):
    channel: ClassVar[Channel]
    max_length: ClassVar[int]

    def send(self, target: ReplyTarget, text: str) -> Delivery: ...

    def find_sent(self, target: ReplyTarget, text: str, *, since: datetime) -> Delivery | None:
        """The delivery of ``text`` to ``target`` if the platform already has it, else None."""
        ...
