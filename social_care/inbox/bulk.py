"""Bulk actions on several posts at once: assign, tag, resolve, mark spam, approve untouched playbook drafts.

Each post is its own operation through the workflow (or the tags module), with the version the caller's
view showed it at: a post that changed meanwhile is refused as stale and reported on its own line, and the
others still go through. Nothing is all-or-nothing; the outcome lists every post.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from .. import workflow
from ..errors import SocialCareError, StaleViewError
from ..models import ReplyKind
from .common import WorkflowError
from .tags import add_tags, parse_tags

if TYPE_CHECKING:
    from ..app import App

__all__ = ["ACTIONS", "MAX_ITEMS", "Outcome", "parse_items", "run_bulk"]

ACTIONS = ("assign", "tag", "resolve", "spam", "approve")
MAX_ITEMS = 200


@dataclass
class Outcome:
    post_id: int
    ok: bool
    detail: str  # what was done, or why not
    error: str | None = None  # None | stale | refused | not_found
    status: str | None = None
    version: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse_items(values: Iterable[str]) -> list[tuple[int, int | None]]:
    """``["12:3", "15:1", "17"]`` (post id, optionally ``:version``) → ``[(12, 3), (15, 1), (17, None)]``."""
    items: list[tuple[int, int | None]] = []
    for value in values:
        for part in str(value).split(","):
            part = part.strip()
            if not part:
                continue
            pid, _, ver = part.partition(":")
            try:
                items.append((int(pid), int(ver) if ver else None))
            except ValueError:
                raise WorkflowError(f"{part!r} is not a post (id or id:version)") from None
    return items


def _approve_untouched(app: App, post_id: int, *, actor: str, expected_version: int | None) -> tuple[str, Any]:
    with app.session() as s:
        draft = workflow.draft_for(s, post_id)
        if draft is None or draft.kind != ReplyKind.PLAYBOOK.value:
            raise WorkflowError("no playbook draft to approve")
        if draft.author is not None:
            raise WorkflowError(f"the draft was edited by {draft.author}: open the post to approve it")
    result = workflow.approve_and_send(app, post_id, text=None, actor=actor, expected_version=expected_version)
    if result.send_error:
        return f"approved; sending failed: {result.send_error}", result.post
    return f"reply {result.reply.status}", result.post


def run_bulk(
    app: App,
    items: Sequence[tuple[int, int | None]],
    action: str,
    *,
    actor: str,
    assignee: str | None = None,
    tags: str | Iterable[str] | None = None,
) -> list[Outcome]:
    """Run ``action`` on each (post id, version); one ``Outcome`` per post, in the order given."""
    if action not in ACTIONS:
        raise WorkflowError(f"unknown bulk action {action!r}: one of {', '.join(ACTIONS)}")
    if not items:
        raise WorkflowError("select at least one post")
    if len(items) > MAX_ITEMS:
        raise WorkflowError(f"at most {MAX_ITEMS} posts at once")
    tag_list = parse_tags(tags or "") if action == "tag" else []
    who = (actor if assignee == "@me" else (assignee or "").strip() or None) if action == "assign" else None
    if action == "assign" and who is not None:
        with app.session() as s:
            workflow._require_user(s, who)  # one clear refusal rather than the same one per post
    out: list[Outcome] = []
    seen: set[int] = set()
    for post_id, version in items:
        if post_id in seen:
            continue
        seen.add(post_id)
        try:
            if action == "assign":
                post = workflow.assign(app, post_id, assignee=who, actor=actor, expected_version=version)
                detail = f"assigned to {who}" if who else "unassigned"
            elif action == "tag":
                post, fresh = add_tags(app, post_id, tag_list, actor=actor, expected_version=version)
                detail = "tagged " + ", ".join(fresh) if fresh else "already tagged"
            elif action == "resolve":
                post, detail = workflow.resolve(app, post_id, actor=actor, expected_version=version), "resolved"
            elif action == "spam":
                post = workflow.mark_spam(app, post_id, actor=actor, expected_version=version)
                detail = "marked as spam"
            else:
                detail, post = _approve_untouched(app, post_id, actor=actor, expected_version=version)
        except StaleViewError as exc:
            out.append(Outcome(post_id, False, str(exc), "stale"))
        except workflow.NotFoundError as exc:
            out.append(Outcome(post_id, False, str(exc), "not_found"))
        except (WorkflowError, SocialCareError) as exc:
            out.append(Outcome(post_id, False, str(exc), "refused"))
        else:
            out.append(Outcome(post_id, True, detail, None, post.status, post.version))
    return out
