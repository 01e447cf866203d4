"""The queue's commands: serve, user add/passwd/disable/enable, queue, show, approve, assign, resolve.

``register(typer_app)`` adds them to the main ``social-care`` command. Every command builds the app
with ``build_app(load_settings())``; the actor of a change is ``--as USER`` (default: the OS login).
``--version N`` makes a change refuse when the post changed since you looked at version N (as the
web page does); without it the CLI acts on the current state.

Each command imports the queue's modules (FastAPI, the store, the workflow) when it runs, so that every other
``social-care`` command, ``--help`` included, starts without loading them.
"""

from __future__ import annotations

import getpass
import json
import sys
from typing import TYPE_CHECKING, Any, NoReturn

import typer

from ..cli_support import build_or_exit
from ..errors import SocialCareError, StaleViewError
from ..models import Channel

CHANNEL_CHOICES = " | ".join(ch.value for ch in Channel)

if TYPE_CHECKING:
    from ..app import App

__all__ = ["register"]

user_app = typer.Typer(help="Team members who can sign in to the queue.", no_args_is_help=True)


def _app() -> App:
    return build_or_exit()  # never creates a database: `db upgrade` does


def _actor(value: str | None) -> str:
    if value:
        return value
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "cli"


def _fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _run(op: Any) -> Any:
    """Run a workflow operation; refusals print their reason and exit 1 (stale views exit 3)."""
    from ..workflow import WorkflowError

    try:
        return op()
    except StaleViewError as exc:
        _fail(str(exc), 3)
    except WorkflowError as exc:
        _fail(str(exc))


@user_app.command("add")
def user_add(
    name: str = typer.Argument(..., help="the user name to sign in with"),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="read the password from stdin"),
    display_name: str | None = typer.Option(None, "--display-name", help="the name shown to the team"),
) -> None:
    """Create a team member (or set a new password). The password is stored as an argon2 hash."""
    from .auth import add_user

    password = _read_password(password_stdin)
    try:
        user = add_user(_app(), name, password, display_name=display_name)
    except SocialCareError as exc:
        _fail(str(exc), 2)
    typer.echo(json.dumps({"user": user.username, "display_name": user.display_name}))


def _read_password(password_stdin: bool) -> str:
    """From stdin (one line) or a hidden prompt asked twice; never from the command line."""
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@user_app.command("passwd")
def user_passwd(
    name: str = typer.Argument(..., help="the team member"),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="read the new password from stdin"),
) -> None:
    """Set a new password; every session of that user ends at once (signed out everywhere)."""
    from .auth import find_user, set_password

    app = _app()
    if find_user(app, name) is None:  # before asking for a password
        _fail(f"no team member named {name.strip()!r} (social-care user add NAME)", 2)
    password = _read_password(password_stdin)
    try:
        ended = set_password(app, name, password)
    except SocialCareError as exc:
        _fail(str(exc), 2)
    typer.echo(json.dumps({"user": name.strip(), "password": "changed", "sessions_ended": ended}))


@user_app.command("disable")
def user_disable(name: str = typer.Argument(..., help="the team member")) -> None:
    """Stop a team member from signing in (HTTP Basic too); every session of theirs ends at once."""
    from .auth import set_active

    try:
        ended = set_active(_app(), name, False)
    except SocialCareError as exc:
        _fail(str(exc), 2)
    typer.echo(json.dumps({"user": name.strip(), "active": False, "sessions_ended": ended}))


@user_app.command("enable")
def user_enable(name: str = typer.Argument(..., help="the team member")) -> None:
    """Let a disabled team member sign in again (with their existing password)."""
    from .auth import set_active

    try:
        set_active(_app(), name, True)
    except SocialCareError as exc:
        _fail(str(exc), 2)
    typer.echo(json.dumps({"user": name.strip(), "active": True}))


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="address to listen on"),
    port: int = typer.Option(8000, "--port", help="port to listen on"),
) -> None:
    """Serve the queue (web page + /api/) until Ctrl-C."""
    from .server import serve as _serve

    app = _app()
    typer.echo(f"social-care queue on http://{host}:{port}/ (Ctrl-C stops)", err=True)
    _serve(app, host, port)


def queue(
    channel: str | None = typer.Option(None, "--channel", help=CHANNEL_CHOICES),
    status: str | None = typer.Option(None, "--status", help="default: flagged posts needing a reply; open (every "
                                      "post needing action) | all | a status, or several: a,b"),
    lang: str | None = typer.Option(None, "--lang"),
    category: str | None = typer.Option(None, "--category"),
    assignee: str | None = typer.Option(None, "--assignee", help="a user name, or - for unassigned"),
    q: str | None = typer.Option(None, "--search", "-q", help="text search in the post and author"),
    snoozed: bool = typer.Option(False, "--snoozed", help="only the snoozed posts"),
    limit: int = typer.Option(50, "--limit"),
    after: str | None = typer.Option(None, "--after", help="the next page: the next_after the previous page printed"),
    as_json: bool = typer.Option(False, "--json", help="JSON instead of a table"),
    tag: str | None = typer.Option(None, "--tag", help="only the posts carrying this tag"),
    mentioned: str | None = typer.Option(None, "--mentioned", help="a user name: posts whose notes mention them"),
    muted: bool = typer.Option(False, "--dont-engage", help="only the authors marked \"don't engage\""),
) -> None:
    """The queue, most urgent first: the same list as the web page, one page at a time."""
    from ..queue import CursorError, QueueFilter, list_queue

    try:
        f = QueueFilter.from_params(
            channel=channel, status=status, lang=lang, category=category, assignee=assignee, q=q,
            snoozed=snoozed, limit=limit, tag=tag, mentioned=mentioned, muted=muted,
        )
    except ValueError as exc:
        _fail(str(exc), 2)
    app = _app()
    with app.session() as s:
        try:
            r = list_queue(s, app.settings, f, now=app.now(), after=after)
        except CursorError as exc:
            _fail(f"--after: {exc}", 2)
    if as_json:
        typer.echo(json.dumps({"items": [row.as_dict() for row in r.rows], "total": r.total, "start": r.start,
                               "next_after": r.next_after, "open": r.open_count, "overdue": r.overdue_count},
                              ensure_ascii=False))
        return
    typer.echo(f"{r.open_count} need a reply · {r.overdue_count} overdue · {r.total} match"
               + (f" · showing {r.range_text}" if r.start or r.next_after else ""))
    if r.next_after:
        typer.echo(f"next page: social-care queue --after {r.next_after} (with the same options)")
    if not r.rows:
        typer.echo("nothing here")
        return
    from ..durations import duration

    lines = [("ID", "URG", "CHANNEL", "STATUS", "WAITED", "AUTHOR", "CATEGORY", "POST")]
    for row in r.rows:
        p = row.post
        mark = {"over": "!!", "near": "! "}.get(row.wait_state, "  ")
        lines.append((
            str(p.id), f"{row.urgency:.0f}", p.channel, p.status, f"{mark}{duration(row.waited_minutes)}",
            _clip(p.author_handle or p.author_name or p.author_id, 18), p.category or "-",
            _clip(" ".join(p.text.split()), 60),
        ))
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]) - 1)]
    for line in lines:
        typer.echo("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line[:-1])) + "  " + line[-1])


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def show(post_id: int = typer.Argument(...), as_json: bool = typer.Option(False, "--json")) -> None:
    """A post: the conversation, the customer's other posts, the draft and the replies."""
    from ..durations import duration
    from ..inbox.views import post_extras
    from ..post_detail import load_post_detail, post_dict
    from ..store.tables import Post
    from .filters import hhmm

    app = _app()
    with app.session() as s:
        post = s.get(Post, post_id)
        if post is None:
            _fail(f"post {post_id} not found")
        d = load_post_detail(s, app.settings, post, now=app.now())
        extras = post_extras(s, post)
    if as_json:
        typer.echo(json.dumps({**post_dict(d), **extras}, ensure_ascii=False))
        return
    p = d.post
    typer.echo(f"#{p.id} {p.channel} · {p.status} · version {p.version} · urgency {d.row.urgency}")
    typer.echo(f"from {p.author_name or '-'} ({p.author_handle or p.author_id}) · {p.author_followers or 0} followers"
               f" · waited {duration(d.row.waited_minutes)} (target {d.row.target_minutes} min)")
    typer.echo(f"label {p.label} · flagged {p.flagged} · category {p.category} · reasons: {', '.join(p.reasons or [])}")
    if p.assignee:
        typer.echo(f"assigned to {p.assignee}")
    if extras["tags"]:
        typer.echo("tags: " + ", ".join(extras["tags"]))
    if extras["author_mark"]:
        typer.echo(f"author marked don't engage: {extras['author_mark']['reason']}")
    typer.echo("\nconversation:")
    for item in d.conversation:
        mark = ">" if item.is_current else " "
        typer.echo(f"{mark} [{hhmm(item.at)}] {item.author}: {item.text}")
    if d.history:
        typer.echo("\nsame customer, other posts:")
        for h in d.history:
            typer.echo(f"  #{h.id} {h.channel} {h.status}: {_clip(' '.join(h.text.split()), 70)}")
    if extras["notes"]:
        typer.echo("\ninternal notes (never sent to the customer):")
        for n in extras["notes"]:
            typer.echo(f"  [{n['created_at'][:16].replace('T', ' ')}] {n['author']}: {n['text']}")
    typer.echo("\ndraft:" if d.draft else "\nno draft")
    if d.draft:
        typer.echo(f"  ({d.draft.kind}) {d.draft.text}")
    for r in d.replies:
        typer.echo(f"reply #{r.id} {r.status} by {r.author}: {r.text}" + (f"  [{r.error}]" if r.error else ""))
    if d.activity:
        typer.echo("\naudit trail (newest first; all of it: social-care audit --post " + str(p.id) + "):")
        for a in d.activity[:10]:
            moved = f" → {a.to_status}" if a.to_status else ""
            reply = f" reply #{a.reply_id}" if a.reply_id else ""
            typer.echo(f"  [{hhmm(a.at)}] {a.actor} {a.action}{reply}{moved}" + (f": {a.detail}" if a.detail else ""))


def approve(
    post_id: int = typer.Argument(...),
    text: str | None = typer.Option(None, "--text", help="the reply; default: the playbook draft as it is"),
    actor: str | None = typer.Option(None, "--as", help="who approves (default: your login)"),
    version: int | None = typer.Option(None, "--version", help="refuse if the post changed since this version"),
) -> None:
    """Approve the reply and send it on the customer's channel."""
    from .. import workflow

    result = _run(lambda: workflow.approve_and_send(_app(), post_id, text=text, actor=_actor(actor),
                                                    expected_version=version))
    out = {"post": post_id, "post_status": result.post.status, "reply": result.reply.id,
           "reply_status": result.reply.status}
    if result.send_error or result.reply.error:
        out["error"] = result.send_error or result.reply.error
    typer.echo(json.dumps(out))
    if result.reply.status not in ("sent",):
        raise typer.Exit(4 if result.reply.status in ("failed", "needs_human") else 0)


def assign(
    post_id: int = typer.Argument(...),
    user: str = typer.Argument(..., help="a team member, or - to unassign"),
    actor: str | None = typer.Option(None, "--as"),
    version: int | None = typer.Option(None, "--version"),
) -> None:
    """Assign a post to a team member."""
    from .. import workflow

    who = None if user == "-" else user
    post = _run(lambda: workflow.assign(_app(), post_id, assignee=who, actor=_actor(actor), expected_version=version))
    typer.echo(json.dumps({"post": post_id, "assignee": post.assignee, "version": post.version}))


def resolve(
    post_id: int = typer.Argument(...),
    actor: str | None = typer.Option(None, "--as"),
    version: int | None = typer.Option(None, "--version"),
) -> None:
    """Resolve a post."""
    from .. import workflow

    post = _run(lambda: workflow.resolve(_app(), post_id, actor=_actor(actor), expected_version=version))
    typer.echo(json.dumps({"post": post_id, "status": post.status, "version": post.version}))


def register(app: typer.Typer) -> None:
    """Add the queue's commands to the main ``social-care`` Typer app."""
    app.add_typer(user_app, name="user")
    app.command("serve")(serve)
    app.command("queue")(queue)
    app.command("show")(show)
    app.command("approve")(approve)
    app.command("assign")(assign)
    app.command("resolve")(resolve)
