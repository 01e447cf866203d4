"""Client-side helpers for driving the simulator with the real SDKs (test-only)."""
from __future__ import annotations

import facebook
import requests
import tweepy
from requests.adapters import HTTPAdapter

PAGE_ID = "104512345678901"
PAGE_TOKEN = "EAAB-sim-token"
BRAND_ID = "99"


class RedirectAdapter(HTTPAdapter):
    """Rewrites ``real`` (e.g. https://api.twitter.com) to ``target`` and adds a default timeout."""

    def __init__(self, target: str, real: str, timeout: float = 5.0, **kw):
        self.target, self.real, self.timeout = target.rstrip("/"), real.rstrip("/"), timeout
        super().__init__(**kw)

    def send(self, request, **kw):
        request.url = request.url.replace(self.real, self.target, 1)
        if kw.get("timeout") is None:
            kw["timeout"] = self.timeout
        return super().send(request, **kw)


def session_for(url: str, real: str, timeout: float = 5.0) -> requests.Session:
    s = requests.Session()
    s.trust_env = False
    s.mount(real, RedirectAdapter(url, real, timeout))
    return s


def x_client(url: str, timeout: float = 5.0, bearer: str = "sim-bearer") -> tweepy.Client:
    client = tweepy.Client(bearer_token=bearer, consumer_key="ck", consumer_secret="cs",
                           access_token=f"{BRAND_ID}-access", access_token_secret="ats", wait_on_rate_limit=False)
    client.session = session_for(url, "https://api.twitter.com", timeout)
    return client


def graph_client(url: str, timeout: float = 5.0, token: str = PAGE_TOKEN) -> facebook.GraphAPI:
    graph = facebook.GraphAPI(access_token=token, timeout=timeout,
                              session=session_for(url, "https://graph.facebook.com", timeout))
    graph.version = "v23.0"
    return graph
