"""Going live with webhooks: register the service's public URL with X and subscribe the Page's fields on Meta
(``social-care webhooks subscribe``), and list what is subscribed (``subscriptions``, for ``webhooks status``).

X: ``POST /2/webhooks`` with ``SOCIAL_CARE_PUBLIC_URL`` + ``/webhooks/x`` (X sends its CRC to it at once), then
``POST /2/account_activity/webhooks/:id/subscriptions/all`` for the brand account. Meta:
``POST /{page-id}/subscribed_apps?subscribed_fields=feed,messages`` (the Page fields; Instagram's ``comments`` and
``messages`` are fields of the app's Instagram object, subscribed in the dashboard: Meta delivers a field only when
it is subscribed at both the app and the Page level); the callback URL and verify token are set in
the Meta app dashboard (Meta sends its verification GET from there). Every documented refusal becomes a sentence
that says what to fix.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import typer

from .cli_support import settings_or_exit
from .config import Settings
from .errors import AuthError, BlockedError, PlatformError, RetriableError, WebhookRefusedError

__all__ = ["META_FIELDS", "IG_FIELDS", "Outcome", "callback_urls", "check_public_url", "register", "subscribe",
           "subscriptions", "subscription_lines"]

META_FIELDS = ["feed", "messages"]
IG_FIELDS = ["comments", "messages"]  # the Instagram object's fields (app level); DM echoes come with messages
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
EXIT_OK, EXIT_REFUSED, EXIT_CONFIG = 0, 1, 2


def _now() -> datetime:
    return datetime.now(UTC)


def callback_urls(settings: Settings) -> dict[str, str]:
    base = settings.public_url.rstrip("/")
    return {"x": base + "/webhooks/x", "facebook": base + "/webhooks/meta"}


def check_public_url(url: str, *, allow_loopback: bool = False) -> str | None:
    """Why the platforms would refuse ``url`` as a webhook address (None: fine). Checked before any call."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return (f"SOCIAL_CARE_PUBLIC_URL ({url}) is not a valid URL; set it to the public https:// address of "
                "the service.")
    host = parts.hostname or ""
    local = allow_loopback and host in LOOPBACK
    if not host:
        return f"SOCIAL_CARE_PUBLIC_URL ({url}) has no host name; set it to the public https:// address of the service."
    if parts.scheme != "https" and not (local and parts.scheme == "http"):
        return (f"SOCIAL_CARE_PUBLIC_URL is {parts.scheme}:// ({url}); X and Meta only deliver webhooks to https:// "
                "addresses with a valid certificate. Put the service behind HTTPS (a reverse proxy or tunnel) and "
                "set SOCIAL_CARE_PUBLIC_URL=https://your-host.")
    if port is not None and not local:
        return (f"SOCIAL_CARE_PUBLIC_URL has a port (:{port}); X refuses webhook URLs with a port. Serve the service "
                "on the standard HTTPS port 443 and set SOCIAL_CARE_PUBLIC_URL without the port.")
    if host in LOOPBACK and not local:
        return (f"SOCIAL_CARE_PUBLIC_URL points at this machine ({host}); the platforms must reach it from the "
                "internet. Set it to the public https:// address of the service.")
    return None


@dataclass
class Outcome:
    platform: str
    ok: bool
    lines: list[str] = field(default_factory=list)
    code: int = EXIT_OK


def _refusal_sentence(exc: WebhookRefusedError, url: str, existing: list[dict[str, Any]]) -> str:
    others = ", ".join(str(w.get("url")) for w in existing if w.get("url") != url) or "another URL"
    return {
        "CrcValidationFailed": (
            f"X could not validate {url}: its CRC check (GET {url}?crc_token=…) did not get the right "
            "response_token in time. Start the service (`social-care run` or `serve`) so it answers at "
            "SOCIAL_CARE_PUBLIC_URL, make sure the address reaches it from the internet, and check that "
            "X_CONSUMER_SECRET is your app's API key secret (the answer is signed with it); then run this again."),
        "UrlValidationFailed": (
            f"X refused {url} as a webhook URL: it must be a public https:// address with a valid certificate, "
            "no port and at most 200 characters. Fix SOCIAL_CARE_PUBLIC_URL and run this again."),
        "DuplicateUrlFailed": (
            f"Your X app already has a webhook registered for {url}. If it is from an old setup, delete it in "
            "the X developer portal (Webhooks) and run this again; otherwise nothing needs fixing."),
        "WebhookLimitExceeded": (
            f"Your X app already has as many webhooks as its plan allows (pay-per-use: 1), registered for "
            f"{others}. Delete the old one in the X developer portal (Webhooks), or upgrade the plan, and run "
            "this again."),
        "WebhookIdInvalid": (
            "X no longer knows the webhook it just listed (deleted meanwhile?); run this again."),
        "SubscriptionLimitExceeded": (
            "Your X app already subscribes as many accounts as its plan allows (pay-per-use: 3). Remove an "
            "old subscription in the X developer portal and run this again."),
    }.get(exc.reason, f"X refused the webhook call ({exc.reason}): {exc.message}")


def _platform_error_sentence(platform: str, exc: PlatformError) -> str:
    name = "X" if platform == "x" else "Meta"
    if isinstance(exc, AuthError):
        return str(exc.message)
    if isinstance(exc, BlockedError) and platform == "facebook":
        return (f"Meta refused to subscribe the app to the Page ({exc.message}). The Page access token needs the "
                "pages_manage_metadata permission (and pages_messaging for messages): grant it, put the new token "
                "in FACEBOOK_PAGE_ACCESS_TOKEN and run this again.")
    if isinstance(exc, RetriableError):
        return f"{name} could not be reached or answered with an error ({exc}); try again in a minute."
    return f"{name} refused the call: {exc}"


def subscribe_x(settings: Settings, client: Any) -> Outcome:
    out = Outcome("x", False)
    url = callback_urls(settings)["x"]
    if not settings.x_user_auth_configured:
        out.lines.append("X: subscribing the brand account needs user context: set X_CONSUMER_KEY, "
                         "X_CONSUMER_SECRET, X_ACCESS_TOKEN and X_ACCESS_TOKEN_SECRET.")
        out.code = EXIT_CONFIG
        return out
    existing: list[dict[str, Any]] = []
    try:
        existing = client.webhooks()
        hook = next((w for w in existing if w.get("url") == url), None)
        if hook is None:
            hook = client.create_webhook(url)
            out.lines.append(f"X: registered {url} (webhook {hook.get('id')}); the CRC check passed.")
        elif not hook.get("valid", True):
            client.revalidate_webhook(str(hook.get("id")))
            out.lines.append(f"X: {url} was registered but marked invalid; the CRC check passes again.")
        else:
            out.lines.append(f"X: {url} is already registered (webhook {hook.get('id')}).")
        if not client.subscribe_all(str(hook.get("id"))):
            out.lines.append("X: the subscription call did not confirm the subscription; run this again.")
            out.code = EXIT_REFUSED
            return out
    except WebhookRefusedError as exc:
        out.lines.append(f"X: {_refusal_sentence(exc, url, existing)}")
        out.code = EXIT_REFUSED
        return out
    except PlatformError as exc:
        out.lines.append(f"X: {_platform_error_sentence('x', exc)}")
        out.code = EXIT_REFUSED
        return out
    out.lines.append(f"X: account {settings.x_user_id} is subscribed; posts and DMs now arrive at {url}.")
    out.ok = True
    return out


def subscribe_meta(settings: Settings, client: Any) -> Outcome:
    out = Outcome("facebook", False)
    url = callback_urls(settings)["facebook"]
    try:
        ok = client.subscribe_app(META_FIELDS)
    except PlatformError as exc:
        out.lines.append(f"Meta: {_platform_error_sentence('facebook', exc)}")
        out.code = EXIT_REFUSED
        return out
    if not ok:
        out.lines.append("Meta: the subscribed_apps call did not answer success; run this again.")
        out.code = EXIT_REFUSED
        return out
    out.ok = True
    out.lines.append(f"Meta: Page {settings.facebook_page_id} sends {', '.join(META_FIELDS)} to the app.")
    out.lines.append(f"Meta: in the app dashboard (Webhooks → Page) the callback URL must be {url} and the verify "
                     "token the value of FACEBOOK_WEBHOOK_VERIFY_TOKEN; subscribe the feed and messages fields there.")
    if settings.instagram_business_account_id:
        out.lines.append(f"Meta: Instagram account {settings.instagram_business_account_id}: in the app dashboard "
                         "(Webhooks → Instagram) use the same callback URL and token and subscribe the "
                         f"{' and '.join(IG_FIELDS)} fields; the Page subscription above carries them to the app.")
    missing = [name for name, value in (("FACEBOOK_APP_SECRET", settings.facebook_app_secret),
                                        ("FACEBOOK_WEBHOOK_VERIFY_TOKEN", settings.facebook_webhook_verify_token))
               if value is None or not value.get_secret_value()]
    if missing:
        out.lines.append(f"Meta: set {' and '.join(missing)}: without it /webhooks/meta refuses Meta's requests.")
        out.code = EXIT_CONFIG
        out.ok = False
    return out


def _clients(settings: Settings, clock: Callable[[], datetime]) -> tuple[Any, Any]:
    from connectors import build_graph_client, build_x_client

    return build_x_client(settings, clock=clock), build_graph_client(settings, clock=clock)


def subscribe(settings: Settings, *, platforms: tuple[str, ...] = ("x", "facebook"), allow_loopback: bool = False,
              clock: Callable[[], datetime] = _now) -> tuple[int, list[str]]:
    """Subscribe each configured platform; returns (exit code, sentences). Exit code 0: all done; 1: a platform
    refused (the sentence says what to fix); 2: a setting must be fixed first (nothing was sent)."""
    problem = check_public_url(settings.public_url, allow_loopback=allow_loopback)
    if problem is not None:
        return EXIT_CONFIG, [problem]
    x, graph = _clients(settings, clock)
    outcomes: list[Outcome] = []
    lines: list[str] = []
    if "x" in platforms:
        if x is None:
            lines.append("X: not configured (X_USER_ID and X_BEARER_TOKEN); skipped.")
        elif not (settings.x_consumer_secret and settings.x_consumer_secret.get_secret_value()):
            outcomes.append(Outcome("x", False, ["X: set X_CONSUMER_SECRET: X signs its CRC and every delivery "
                                                 "with it."], EXIT_CONFIG))
        else:
            outcomes.append(subscribe_x(settings, x))
    if "facebook" in platforms:
        if graph is None:
            lines.append("Meta: not configured (FACEBOOK_PAGE_ID and FACEBOOK_PAGE_ACCESS_TOKEN); skipped.")
        else:
            outcomes.append(subscribe_meta(settings, graph))
    for outcome in outcomes:
        lines.extend(outcome.lines)
    if not outcomes:
        return EXIT_CONFIG, lines + ["Nothing to subscribe: configure X or the Facebook Page first."]
    return max(o.code for o in outcomes), lines


def subscriptions(settings: Settings, *, clock: Callable[[], datetime] = _now) -> dict[str, dict[str, Any]]:
    """What each platform says is subscribed, for ``webhooks status``:
    ``{"x": {"configured", "callback", "webhooks": [{id, url, valid, created_at}], "subscribed", "error"},
       "facebook": {"configured", "callback", "subscribed_fields": [...], "error"}}``."""
    x, graph = _clients(settings, clock)
    urls = callback_urls(settings)
    report: dict[str, dict[str, Any]] = {
        "x": {"configured": x is not None, "callback": urls["x"], "webhooks": [], "subscribed": None, "error": None},
        "facebook": {"configured": graph is not None, "callback": urls["facebook"], "subscribed_fields": [],
                     "error": None},
    }
    if x is not None:
        row = report["x"]
        try:
            row["webhooks"] = x.webhooks()
            ours = next((w for w in row["webhooks"] if w.get("url") == urls["x"]), None)
            if ours is not None and settings.x_user_auth_configured:
                row["subscribed"] = x.subscribed(str(ours.get("id")))
            elif ours is None:
                row["subscribed"] = False
        except PlatformError as exc:
            row["error"] = str(exc)
    if graph is not None:
        row = report["facebook"]
        try:
            fields_: set[str] = set()
            for app in graph.subscribed_apps():
                names = app.get("subscribed_fields")
                if isinstance(names, list):
                    fields_.update(str(n) for n in names if isinstance(n, str))
            row["subscribed_fields"] = sorted(fields_)
        except PlatformError as exc:
            row["error"] = str(exc)
    return report


def subscription_lines(report: dict[str, dict[str, Any]]) -> list[str]:
    """One or two lines per platform for a terminal."""
    lines = []
    x = report["x"]
    if not x["configured"]:
        lines.append("x         not configured")
    elif x["error"]:
        lines.append(f"x         cannot list webhooks: {x['error']}")
    else:
        ours = [w for w in x["webhooks"] if w.get("url") == x["callback"]]
        hooks = "; ".join(f"{w.get('id')} {w.get('url')} ({'valid' if w.get('valid') else 'INVALID'})"
                          for w in x["webhooks"]) or "none"
        state = {True: "subscribed", None: "subscription unknown (listing it needs the X user tokens)"}.get(
            x["subscribed"], "NOT subscribed (run `social-care webhooks subscribe`)")
        lines.append(f"x         webhooks: {hooks}")
        lines.append(f"x         {x['callback']}: " + (state if ours else "not registered (run `social-care "
                                                                          "webhooks subscribe`)"))
    fb = report["facebook"]
    if not fb["configured"]:
        lines.append("facebook  not configured")
    elif fb["error"]:
        lines.append(f"facebook  cannot list subscribed apps: {fb['error']}")
    else:
        missing = [f for f in META_FIELDS if f not in fb["subscribed_fields"]]
        fields_ = ", ".join(fb["subscribed_fields"]) or "none"
        lines.append(f"facebook  Page fields subscribed: {fields_}"
                     + (f" (missing {', '.join(missing)}: run `social-care webhooks subscribe`)" if missing else ""))
        lines.append(f"facebook  callback (set in the Meta app dashboard): {fb['callback']}")
    return lines


# ---- commands ----------------------------------------------------------------------------------------------------
def subscribe_command(
    platform: str = typer.Option("all", "--platform", help="x, facebook or all (every configured platform)."),
    local: bool = typer.Option(False, "--local", help="Accept an http:// address or a port on 127.0.0.1/localhost "
                               "(a dry run against the simulator only; the real platforms refuse both)."),
) -> None:
    """Register SOCIAL_CARE_PUBLIC_URL + /webhooks/x with X and subscribe the brand account; subscribe the Page's
    feed and messages fields on Meta. Exit 0: done; 1: a platform refused (the message says what to fix);
    2: a setting must be fixed first."""
    if platform not in ("all", "x", "facebook"):
        typer.echo("error: --platform must be x, facebook or all", err=True)
        raise typer.Exit(EXIT_CONFIG)
    chosen = ("x", "facebook") if platform == "all" else (platform,)
    code, lines = subscribe(settings_or_exit(), platforms=chosen, allow_loopback=local)
    for line in lines:
        typer.echo(line, err=code != EXIT_OK)
    raise typer.Exit(code)


def subscriptions_command(as_json: bool = typer.Option(False, "--json", help="One JSON object.")) -> None:
    """What X and Meta say is subscribed: the app's X webhooks and the brand's subscription, the Page's fields."""
    report = subscriptions(settings_or_exit())
    if as_json:
        typer.echo(json.dumps(report, sort_keys=True, default=str))
        return
    for line in subscription_lines(report):
        typer.echo(line)


def add_commands(group: typer.Typer) -> None:
    """Adds ``subscribe`` and ``subscriptions`` to a ``webhooks`` command group."""
    group.command("subscribe")(subscribe_command)
    group.command("subscriptions")(subscriptions_command)


def register(app: typer.Typer) -> None:
    """Adds the commands to the app's ``webhooks`` group, creating the group (with ``status`` listing the
    subscriptions) when no other area registered one."""
    group = next((g.typer_instance for g in app.registered_groups if g.name == "webhooks"), None)
    if group is None:
        group = typer.Typer(help="The platforms' signed webhooks (/webhooks/x, /webhooks/meta).", no_args_is_help=True)
        group.command("status")(subscriptions_command)
        app.add_typer(group, name="webhooks")
    add_commands(group)
