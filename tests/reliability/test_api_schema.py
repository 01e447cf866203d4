"""schemathesis against the queue's own ``/api/openapi.json``: generated requests to every documented route.

Signed in (session cookie + X-CSRF-Token), every answer must be documented (status code and body schema)
and none may be a 500. Without a session, every route answers 401/403 and no customer's words.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

from social_care.web import create_web_app
from social_care.web.auth import CSRF_HEADER, SESSION_COOKIE
from web.factory import login, make_post, make_user

SECRET_WORDS = "parcel-zebra-7731"  # in every seeded post: must never reach a signed-out caller


CORRECTIONS = [{"field": "label", "value": "positive"}, {"field": "flagged", "value": False},
               {"field": "category", "value": "refund"}]


def _seed(app: Any) -> None:
    make_user(app, "jane", "Jane Roe")
    make_user(app, "bob", "Bob Stone")
    for channel in ("x.mention", "x.dm", "facebook.comment", "facebook.messenger"):
        make_post(app, channel=channel, text=f"my order never arrived {SECRET_WORDS}", minutes_ago=30)
        make_post(app, channel=channel, text=f"thanks, all good {SECRET_WORDS}", flagged=False, polarity=0.5,
                  label="positive", draft=None, minutes_ago=5)
    make_post(app, text=f"sorted, thank you {SECRET_WORDS}", status="resolved", draft=None, minutes_ago=90)


@pytest.fixture
def signed_in(app: Any) -> Iterator[tuple[Any, dict[str, str], dict[str, str]]]:
    """(the web app, cookies, headers) of a signed-in team member, over a seeded store."""
    _seed(app)
    web = create_web_app(app)
    with TestClient(web, base_url="http://127.0.0.1") as client:
        csrf = login(client, "jane")
        cookies = {SESSION_COOKIE: client.cookies[SESSION_COOKIE]}
    yield web, cookies, {CSRF_HEADER: csrf}


@pytest.mark.parametrize("post_id", [0, 2**31, 2**63, 10**30])
def test_a_post_id_no_post_can_have_is_refused_not_a_server_error(signed_in: Any, post_id: int) -> None:
    """posts.id is an INTEGER: a larger number in a path was an OverflowError (SQLite) or a numeric
    overflow (PostgreSQL), i.e. a 500, on the API and on the post page."""
    web, cookies, headers = signed_in
    with TestClient(web, base_url="http://127.0.0.1", raise_server_exceptions=False) as client:
        client.cookies.update(cookies)
        for r in (client.get(f"/api/posts/{post_id}"), client.get(f"/posts/{post_id}"),
                  client.post(f"/api/posts/{post_id}/resolve", json={"version": 1}, headers=headers)):
            assert r.status_code == 422, (r.request.url, r.status_code)
