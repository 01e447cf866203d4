"""Connectors: one per stream, built from settings; a platform without credentials is not polled."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from social_care.config import Settings

from .base import Batch, Connector
from .facebook import GraphClient, MessengerConversations, PageComments
from .instagram import InstagramComments, InstagramMessages
from .x import XClient, XDirectMessages, XMentions, XSearch

__all__ = ["Batch", "Clients", "Connector", "build_clients", "build_connectors", "STREAMS"]

STREAMS = ("x.mentions", "x.dms", "facebook.comments", "facebook.messenger", "instagram.comments", "instagram.dms",
           "x.search")


def build_x_client(settings: Settings, *, clock: Callable[[], datetime]) -> XClient | None:
    if not settings.x_configured:
        return None

    def secret(value: object) -> str | None:
        return value.get_secret_value() if value is not None else None  # type: ignore[attr-defined]

    return XClient(
        user_id=settings.x_user_id or "",
        bearer_token=secret(settings.x_bearer_token) or "",
        consumer_key=secret(settings.x_consumer_key),
        consumer_secret=secret(settings.x_consumer_secret),
        access_token=secret(settings.x_access_token),
        access_token_secret=secret(settings.x_access_token_secret),
        base_url=settings.x_api_base_url,
        timeout=settings.http_timeout_seconds,
        clock=clock,
    )


def build_graph_client(settings: Settings, *, clock: Callable[[], datetime]) -> GraphClient | None:
    if not settings.facebook_configured or settings.facebook_page_access_token is None:
        return None
    return GraphClient(
        page_id=settings.facebook_page_id or "",
        page_token=settings.facebook_page_access_token.get_secret_value(),
        ig_user_id=settings.instagram_business_account_id if settings.instagram_configured else None,
        version=settings.facebook_graph_version,
        base_url=settings.facebook_graph_url,
        timeout=settings.http_timeout_seconds,
        clock=clock,
    )


@dataclass(frozen=True, slots=True)
class Clients:
    """The platform gateways, shared by the streams and the responders."""

    x: XClient | None
    graph: GraphClient | None


def build_clients(settings: Settings, *, clock: Callable[[], datetime]) -> Clients:
    return Clients(x=build_x_client(settings, clock=clock), graph=build_graph_client(settings, clock=clock))


def build_connectors(clients: Clients, settings: Settings) -> list[Connector]:
    connectors: list[Connector] = []
    x, graph = clients.x, clients.graph
    if x is not None:
        connectors.append(XMentions(x))
        if x.has_user_auth:  # DMs need user context (OAuth1); app-only bearer cannot read them
            connectors.append(XDirectMessages(x))
        if settings.x_search_term_list:
            connectors.append(XSearch(x, terms=settings.x_search_term_list,
                                      max_posts_per_day=settings.x_search_max_posts_per_day))
    if graph is not None:
        connectors.append(PageComments(graph, lookback=timedelta(days=settings.facebook_lookback_days)))
        connectors.append(MessengerConversations(graph))
        if graph.ig_user_id:
            connectors.append(InstagramComments(graph, lookback=timedelta(days=settings.instagram_lookback_days)))
            connectors.append(InstagramMessages(graph))
    return connectors
