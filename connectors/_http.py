"""The one seam between the SDKs and the network: a requests session with a default timeout that can
rebase the platform's fixed origin (tweepy hard-codes https://api.twitter.com) onto a configured base URL.

Production uses the same code with ``base_url == origin``: the adapter then only adds timeouts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests
from requests.adapters import HTTPAdapter

__all__ = ["PlatformAdapter", "make_session"]


class PlatformAdapter(HTTPAdapter):
    """Rewrites ``origin`` → ``base_url`` on every request and fills in a timeout when none was given."""

    def __init__(self, origin: str, base_url: str, timeout: float, **kw: Any) -> None:
        self.origin = origin.rstrip("/")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        super().__init__(**kw)

    def send(self, request: requests.PreparedRequest, **kw: Any) -> requests.Response:  # type: ignore[override]
        if request.url and request.url.startswith(self.origin) and self.base_url != self.origin:
            request.url = self.base_url + request.url[len(self.origin) :]
        if kw.get("timeout") is None:
            kw["timeout"] = self.timeout
        return super().send(request, **kw)


def make_session(
    origin: str,
    base_url: str,
    timeout: float,
    *,
    on_response: Callable[[requests.Response], None] | None = None,
) -> requests.Session:
    """A session for one platform: every request to ``origin`` goes to ``base_url`` with a timeout."""
    session = requests.Session()
    session.trust_env = False  # proxies from the environment must not see rebased URLs or tokens
    adapter = PlatformAdapter(origin, base_url, timeout)
    session.mount(origin.rstrip("/"), adapter)
    if base_url.rstrip("/") != origin.rstrip("/"):
        # direct calls to the base URL (e.g. a paging.next link followed by hand) get the timeout too
        session.mount(base_url.rstrip("/"), PlatformAdapter(base_url, base_url, timeout))
    if on_response is not None:
        session.hooks["response"].append(lambda resp, *a, **k: on_response(resp))
    return session
