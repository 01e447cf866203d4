"""Responders: one per channel, chosen only by the reply target's channel (never by platform checks)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from connectors import Clients
from social_care.errors import ConfigError
from social_care.models import Channel, ReplyTarget

from .base import Responder
from .facebook import CommentResponder, MessengerResponder
from .instagram import InstagramCommentResponder, InstagramMessageResponder
from .x import XDirectMessageResponder, XReplyResponder, XSearchReplyResponder

__all__ = ["Responder", "Responders", "build_responders", "NoResponderError"]


class NoResponderError(ConfigError):
    """No responder for a channel: its platform is not configured."""


class Responders:
    def __init__(self, responders: Iterable[Responder]) -> None:
        self._by_channel: dict[Channel, Responder] = {}
        for responder in responders:
            if responder.channel in self._by_channel:
                raise ConfigError(f"two responders for {responder.channel}")
            self._by_channel[responder.channel] = responder

    def for_target(self, target: ReplyTarget) -> Responder:
        try:
            return self._by_channel[target.channel]
        except KeyError:
            raise NoResponderError(
                f"cannot reply on {target.channel}: that platform is not configured"
            ) from None

    def __iter__(self) -> Iterator[Responder]:
        return iter(self._by_channel.values())

    def __contains__(self, channel: object) -> bool:
        return channel in self._by_channel


def build_responders(clients: Clients) -> Responders:
    found: list[Responder] = []
    if clients.x is not None and clients.x.has_user_auth:  # replies and DMs need user context (OAuth1)
        found.extend([XReplyResponder(clients.x), XDirectMessageResponder(clients.x), XSearchReplyResponder(clients.x)])
    if clients.graph is not None:
        found.extend([CommentResponder(clients.graph), MessengerResponder(clients.graph)])
        if clients.graph.ig_user_id:
            found.extend([InstagramCommentResponder(clients.graph), InstagramMessageResponder(clients.graph)])
    return Responders(found)
