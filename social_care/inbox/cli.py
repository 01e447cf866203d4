"""The inbox tools in the terminal: ``tag``, ``note``, ``bulk``, ``macro …``, ``team``, ``dont-engage``,
``user admin`` and ``user slack``. The actor of a change is ``--as USER`` (default: the OS login);
``--version N`` refuses a change to a post that changed since you looked at version N, as the web page does."""

from __future__ import annotations

import json
from typing import Any

import typer

from ..web.cli import _actor, _app, _clip, _fail, _run, user_app

__all__ = ["register"]

macro_app = typer.Typer(help="Saved replies (macros): list them; admins add, edit and delete them.",
                        no_args_is_help=True)


def tag(
    post_id: int = typer.Argument(...),
    tags: list[str] = typer.Argument(..., help="tags such as vip order-1234 (commas work too)"),
    remove: bool = typer.Option(False, "--remove", help="take these tags off instead"),
    actor: str | None = typer.Option(None, "--as"),
    version: int | None = typer.Option(None, "--version"),
) -> None:
    """Tag a post (free tags, apart from the scoring category), or take tags off with --remove."""
    from . import tags as tagging

    fn = tagging.remove_tags if remove else tagging.add_tags
    post, changed = _run(lambda: fn(_app(), post_id, tags, actor=_actor(actor), expected_version=version))
    app = _app()
    with app.session() as s:
        now = tagging.tags_for(s, [post_id]).get(post_id, [])
    typer.echo(json.dumps({"post": post_id, "removed" if remove else "added": changed, "tags": now,
                           "version": post.version}))


def note(
    post_id: int = typer.Argument(...),
    text: str = typer.Argument(..., help="the note; @name pings that team member in Slack"),
    actor: str | None = typer.Option(None, "--as"),
) -> None:
    """An internal note on a post (the customer never sees it)."""
    from .notes import add_note

    result = _run(lambda: add_note(_app(), post_id, text=text, actor=_actor(actor)))
    typer.echo(json.dumps({"post": post_id, "note": result.note.id, "mentioned": result.mentioned,
                           "unknown": result.unknown}))


def bulk(
    action: str = typer.Argument(..., help="assign | tag | resolve | spam | approve (untouched playbook drafts)"),
    posts: list[str] = typer.Argument(..., help="post ids, each optionally with the version you saw: 12:3"),
    assignee: str | None = typer.Option(None, "--assignee", help="assign: a user name, or - to unassign"),
    tags: str | None = typer.Option(None, "--tag", help="tag: the tags, comma-separated"),
    actor: str | None = typer.Option(None, "--as"),
) -> None:
    """One action on several posts; one JSON line per post, exit 1 when any was not done."""
    from .bulk import parse_items, run_bulk

    who = None if assignee in (None, "-") else assignee
    outcomes = _run(lambda: run_bulk(_app(), parse_items(posts), action, actor=_actor(actor), assignee=who,
                                     tags=tags))
    for o in outcomes:
        typer.echo(json.dumps(o.as_dict()))
    if not all(o.ok for o in outcomes):
        raise typer.Exit(1)


@macro_app.command("list")
def macro_list(
    q: str | None = typer.Option(None, "--search", "-q"),
    lang: str | None = typer.Option(None, "--lang"),
    channel: str | None = typer.Option(None, "--channel"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """The saved replies, most used first."""
    from .macros import list_macros, macro_dict

    app = _app()
    with app.session() as s:
        items = [macro_dict(m) for m in list_macros(s, q=q, lang=lang, channel=channel, limit=500)]
    if as_json:
        for item in items:
            typer.echo(json.dumps(item, ensure_ascii=False))
        return
    if not items:
        typer.echo("no saved replies")
    for m in items:
        typer.echo(f"#{m['id']}  {m['name']}  [{m['lang'] or 'any'} · {m['channel'] or 'any'}]  used {m['uses']}×  "
                   + _clip(" ".join(m["text"].split()), 70))


def _macro_out(m: Any) -> None:
    from .macros import macro_dict

    typer.echo(json.dumps(macro_dict(m), ensure_ascii=False))


@macro_app.command("add")
def macro_add(
    name: str = typer.Option(..., "--name"),
    text: str = typer.Option(..., "--text", help="placeholders: {name}, {order}, {brand}"),
    lang: str | None = typer.Option(None, "--lang", help="a language code; default any"),
    channel: str | None = typer.Option(None, "--channel", help="a channel; default any"),
    actor: str | None = typer.Option(None, "--as"),
) -> None:
    """Add a saved reply (admins only)."""
    from .macros import create_macro

    _macro_out(_run(lambda: create_macro(_app(), name=name, text=text, lang=lang, channel=channel,
                                         actor=_actor(actor))))


@macro_app.command("edit")
def macro_edit(
    macro_id: int = typer.Argument(...),
    name: str = typer.Option(..., "--name"),
    text: str = typer.Option(..., "--text"),
    lang: str | None = typer.Option(None, "--lang"),
    channel: str | None = typer.Option(None, "--channel"),
    actor: str | None = typer.Option(None, "--as"),
) -> None:
    """Change a saved reply (admins only)."""
    from .macros import update_macro

    _macro_out(_run(lambda: update_macro(_app(), macro_id, name=name, text=text, lang=lang, channel=channel,
                                         actor=_actor(actor))))


@macro_app.command("delete")
def macro_delete(macro_id: int = typer.Argument(...), actor: str | None = typer.Option(None, "--as")) -> None:
    """Delete a saved reply (admins only)."""
    from .macros import delete_macro

    _run(lambda: delete_macro(_app(), macro_id, actor=_actor(actor)))
    typer.echo(json.dumps({"deleted": macro_id}))


def team(as_json: bool = typer.Option(False, "--json")) -> None:
    """Each team member's open cases, oldest waiting and first-response median this week."""
    from ..durations import duration
    from ..reports import resolve_week
    from .agents import team_table

    app = _app()
    week = resolve_week(app, "current")
    with app.session() as s:
        rows = team_table(s, start=week.start, end=week.end, as_of=app.now())
    if as_json:
        typer.echo(json.dumps({"week": week.label, "rows": rows}))
        return
    lines = [("MEMBER", "OPEN", "OLDEST WAITING", "FIRST RESPONSE (MEDIAN)", "REPLIES")]
    for r in rows:
        median = r["first_response_median_minutes"]
        lines.append((r["username"], str(r["open"]), duration(r["oldest_waiting_minutes"]),
                      duration(median) if median is not None else "—", str(r["replies"])))
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    typer.echo(f"week {week.label} to date")
    for line in lines:
        typer.echo("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip())


def dont_engage(
    post_id: int = typer.Argument(..., help="a post of the author"),
    reason: str | None = typer.Option(None, "--reason", help="why not to engage (required to mark)"),
    off: bool = typer.Option(False, "--off", help="take the mark off"),
    actor: str | None = typer.Option(None, "--as"),
    version: int | None = typer.Option(None, "--version"),
) -> None:
    """Mark a post's author "don't engage": out of autosend and the default view, never hidden on the platform."""
    from .authors import mark_author, unmark_author

    if off:
        _run(lambda: unmark_author(_app(), post_id, actor=_actor(actor), expected_version=version))
        typer.echo(json.dumps({"post": post_id, "dont_engage": False}))
        return
    mark = _run(lambda: mark_author(_app(), post_id, reason=reason or "", actor=_actor(actor),
                                    expected_version=version))
    typer.echo(json.dumps({"post": post_id, "dont_engage": True, "customer": mark.customer_key,
                           "reason": mark.reason}))


def user_admin(
    name: str = typer.Argument(..., help="the team member"),
    off: bool = typer.Option(False, "--off", help="no longer an admin"),
) -> None:
    """Let a team member edit the saved replies (or, with --off, stop them)."""
    from .macros import set_admin

    changed = _run(lambda: set_admin(_app(), name.strip(), not off))
    typer.echo(json.dumps({"user": name.strip(), "admin": not off, "changed": changed}))


def user_slack(
    name: str = typer.Argument(..., help="the team member"),
    slack_id: str | None = typer.Argument(None, help="their Slack member id (U… or W…)"),
    off: bool = typer.Option(False, "--off", help="forget the Slack member id"),
) -> None:
    """Record a team member's Slack member id: an @-mention in a note then pings them in Slack (<@U…>)."""
    from .notes import set_slack_id

    if not off and slack_id is None:
        _fail("give the Slack member id (U… or W…), or --off to forget it")
    changed = _run(lambda: set_slack_id(_app(), name.strip(), None if off else slack_id))
    typer.echo(json.dumps({"user": name.strip(), "slack_user_id": None if off else (slack_id or "").strip().upper(),
                           "changed": changed}))


def register(app: typer.Typer) -> None:
    app.command("tag")(tag)
    app.command("note")(note)
    app.command("bulk")(bulk)
    app.command("team")(team)
    app.command("dont-engage")(dont_engage)
    app.add_typer(macro_app, name="macro")
    user_app.command("admin")(user_admin)
    user_app.command("slack")(user_slack)
