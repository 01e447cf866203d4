"""Graph node rendering: per-node fields, nested field expansion and edges (connections)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from ._util import graph_time
from .graph_fields import FieldSpec, GraphError, connection, parse_fields
from .graph_state import Comment, Conversation, FacebookState, IgComment, IgMedia, Message, Post

DEFAULT_FIELDS = {
    "page": "id,name", "post": "created_time,message,id", "comment": "created_time,from,message,id",
    "conversation": "id,updated_time", "message": "id,created_time", "user": "id,name",
    "ig_user": "id", "ig_media": "id", "ig_comment": "id,text,timestamp",
}
NODE_NAMES = {"page": "Page", "post": "Post", "comment": "Comment", "conversation": "Conversation",
              "message": "Message", "user": "User", "ig_user": "IGUser", "ig_media": "IGMedia",
              "ig_comment": "IGComment"}
IG_MESSAGES_READABLE = 20  # Instagram: only the 20 most recent messages of a conversation can be read
Edge = Callable[[Any, dict[str, str], Any], dict[str, Any]]  # (parent object, query args, sub-fields) -> a listing


def _ms(dt: datetime) -> int:
    return int(dt.timestamp() * 1000)


def _unix_arg(args: dict[str, str], name: str) -> datetime | None:
    raw = args.get(name)
    if not raw:
        return None
    try:
        return datetime.fromtimestamp(int(raw), UTC)
    except ValueError:
        try:
            return datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise GraphError(100, f"(#100) The parameter {name} is not a valid time") from None


class GraphRenderer:
    def __init__(self, state: FacebookState, version: str, token: str) -> None:
        self.state, self.version, self.token = state, version, token

    # ---- generic -------------------------------------------------------------------------
    def node(self, kind: str, obj: Any, specs: list[FieldSpec] | None) -> dict[str, Any]:
        specs = specs if specs is not None else parse_fields(DEFAULT_FIELDS[kind]) or []
        getters = self._getters(kind, obj)
        edges = self._edges(kind)
        out: dict[str, Any] = {}
        for spec in specs:
            if spec.name in edges:
                args = dict(spec.mods)
                if spec.sub is not None:
                    args["fields"] = ",".join(map(str, spec.sub))
                value: Any = edges[spec.name](obj, args, spec.sub)
                if value == {"data": []}:  # nested empty edges are omitted unless a summary was asked for
                    value = None
            elif spec.name in getters:
                value = getters[spec.name]()
                if spec.sub is not None and value is not None:
                    value = self._project(value, spec.sub)
            else:
                raise GraphError(100, f"(#100) Tried accessing nonexisting field ({spec.name}) on node type "
                                      f"({NODE_NAMES[kind]})")
            if value is not None:
                out[spec.name] = value
        return out

    @staticmethod
    def _project(value: Any, sub: list[FieldSpec]) -> Any:
        if isinstance(value, dict) and "data" in value and isinstance(value["data"], list):
            return {"data": [GraphRenderer._project(v, sub) for v in value["data"]]}
        if isinstance(value, dict):
            return {s.name: value[s.name] for s in sub if s.name in value}
        return value

    def _getters(self, kind: str, obj: Any) -> dict[str, Callable[[], Any]]:
        getters: dict[str, Callable[[], Any]] = getattr(self, f"_{kind}_fields")(obj)
        return getters

    def _edges(self, kind: str) -> dict[str, Edge]:
        edges: dict[str, dict[str, Edge]] = {
            "page": {"feed": self.feed, "posts": self.posts, "published_posts": self.posts,
                     "conversations": self.conversations},
            "post": {"comments": self.comments, "reactions": self.empty_edge, "likes": self.empty_edge},
            "comment": {"comments": self.comments, "reactions": self.empty_edge, "likes": self.empty_edge},
            "conversation": {"messages": self.messages},
            "ig_user": {"media": self.ig_media},
            "ig_media": {"comments": self.ig_comments},
            "ig_comment": {"replies": self.ig_replies},
        }
        return edges.get(kind, {})

    def edge(self, kind: str, obj: Any, name: str, args: dict[str, str]) -> dict[str, Any]:
        edges = self._edges(kind)
        if name not in edges:
            raise GraphError(100, f"(#100) Tried accessing nonexisting field ({name}) on node type "
                                  f"({NODE_NAMES[kind]})")
        return edges[name](obj, args, parse_fields(args.get("fields")))

    def _path(self, node_id: str, edge: str) -> str:
        return f"{self.version}/{node_id}/{edge}"

    # ---- node fields -----------------------------------------------------------------------
    def _who(self, uid: str, name: str, email: bool = False) -> dict[str, str]:
        return {"name": name, "email": f"{uid}@facebook.com", "id": uid} if email else {"name": name, "id": uid}

    def _page_fields(self, _: Any) -> dict[str, Callable[[], Any]]:
        s = self.state
        return {"id": lambda: s.page_id, "name": lambda: s.page_name, "category": lambda: "Shopping & retail",
                "link": lambda: f"https://www.facebook.com/{s.page_id}"}

    def _user_fields(self, uid: str) -> dict[str, Callable[[], Any]]:
        name = self.state.users.get(uid, "")
        first, _, last = name.partition(" ")
        return {"id": lambda: uid, "name": lambda: name, "first_name": lambda: first, "last_name": lambda: last,
                "profile_pic": lambda: f"https://platform-lookaside.fbsbx.com/platform/profilepic/?psid={uid}"}

    def _post_fields(self, p: Post) -> dict[str, Callable[[], Any]]:
        latest = max([p.created_at] + [c.created_at for c in self.state.comments.values()
                                        if c.post_id == p.id and not c.deleted])
        return {"id": lambda: p.id, "message": lambda: p.message or None,
                "created_time": lambda: graph_time(p.created_at), "updated_time": lambda: graph_time(latest),
                "from": lambda: self._who(p.from_id, p.from_name),
                "permalink_url": lambda: f"https://www.facebook.com/{self.state.page_id}/posts/{p.suffix}",
                "status_type": lambda: "mobile_status_update", "is_published": lambda: True,
                "is_hidden": lambda: False, "story": lambda: None, "attachments": lambda: None,
                "full_picture": lambda: None, "shares": lambda: None}

    def _comment_fields(self, c: Comment) -> dict[str, Callable[[], Any]]:
        post = self.state.posts[c.post_id]
        base = f"https://www.facebook.com/{self.state.page_id}/posts/{post.suffix}"
        suffix = c.id.split("_")[1]
        link = (f"{base}?comment_id={c.parent_id.split('_')[1]}&reply_comment_id={suffix}" if c.parent_id
                else f"{base}?comment_id={suffix}")
        parent = self.state.comments.get(c.parent_id or "")
        by_user = c.from_id != self.state.page_id
        return {"id": lambda: c.id, "message": lambda: c.message, "created_time": lambda: graph_time(c.created_at),
                "from": lambda: self._who(c.from_id, c.from_name),
                "parent": lambda: self.node("comment", parent, None) if parent else None,
                "comment_count": lambda: len(self.state.replies_of(c.id)), "is_hidden": lambda: c.is_hidden,
                "permalink_url": lambda: link, "like_count": lambda: 0, "user_likes": lambda: False,
                "can_hide": lambda: by_user, "can_remove": lambda: True, "can_like": lambda: True,
                "can_comment": lambda: c.parent_id is None, "can_reply_privately": lambda: by_user,
                "object": lambda: {"id": post.id}, "attachment": lambda: None, "message_tags": lambda: None}

    def _conversation_fields(self, c: Conversation) -> dict[str, Callable[[], Any]]:
        s = self.state
        if c.platform == "instagram":  # Instagram participants carry a username, not a name and email
            people = {"data": [{"username": c.name, "id": c.psid}, {"username": s.ig_username, "id": s.ig_user_id}]}
        else:
            people = {"data": [self._who(c.psid, c.name, True), self._who(s.page_id, s.page_name, True)]}
        return {"id": lambda: c.id, "updated_time": lambda: graph_time(c.updated_at),
                "link": lambda: f"/{s.page_id}/inbox/{c.id[2:]}/",
                "message_count": lambda: len(s.messages_in(c.id)), "unread_count": lambda: 0,
                "participants": lambda: people, "senders": lambda: people, "can_reply": lambda: True,
                "is_subscribed": lambda: True}

    def _ig_user_fields(self, _: Any) -> dict[str, Callable[[], Any]]:
        s = self.state
        return {"id": lambda: s.ig_user_id, "username": lambda: s.ig_username, "name": lambda: s.page_name,
                "media_count": lambda: sum(1 for m in s.ig_media.values() if not m.deleted),
                "followers_count": lambda: 1000}

    def _ig_media_fields(self, m: IgMedia) -> dict[str, Callable[[], Any]]:
        s = self.state
        return {"id": lambda: m.id, "caption": lambda: m.caption or None, "timestamp": lambda: graph_time(m.created_at),
                "permalink": lambda: f"https://www.instagram.com/p/{m.shortcode}/",
                "comments_count": lambda: sum(1 for c in s.ig_comments.values() if c.media_id == m.id
                                              and not c.deleted),
                "like_count": lambda: 0, "media_type": lambda: "IMAGE", "media_product_type": lambda: "FEED",
                "username": lambda: s.ig_username, "shortcode": lambda: m.shortcode,
                "owner": lambda: {"id": s.ig_user_id}, "is_comment_enabled": lambda: True}

    def _ig_comment_fields(self, c: IgComment) -> dict[str, Callable[[], Any]]:
        return {"id": lambda: c.id, "text": lambda: c.text, "timestamp": lambda: graph_time(c.created_at),
                "from": lambda: {"id": c.from_id, "username": c.username}, "username": lambda: c.username,
                "parent_id": lambda: c.parent_id, "hidden": lambda: c.hidden, "like_count": lambda: 0,
                "media": lambda: {"id": c.media_id, "media_product_type": "FEED"}}

    def _message_fields(self, m: Message) -> dict[str, Callable[[], Any]]:
        conv = self.state.conversations.get(m.conversation_id)
        if conv is not None and conv.platform == "instagram":
            sender, to = {"username": m.from_name, "id": m.from_id}, {"username": m.to_name, "id": m.to_id}
        else:
            sender, to = self._who(m.from_id, m.from_name, True), self._who(m.to_id, m.to_name, True)
        return {"id": lambda: m.id, "message": lambda: m.text, "created_time": lambda: graph_time(m.created_at),
                "from": lambda: sender, "to": lambda: {"data": [to]},
                "attachments": lambda: None, "sticker": lambda: None, "tags": lambda: None}

    # ---- edges ---------------------------------------------------------------------------
    def feed(self, _: Any, args: dict[str, str], sub: Any, page_only: bool = False) -> dict[str, Any]:
        since, until = _unix_arg(args, "since"), _unix_arg(args, "until")
        posts = [p for p in self.state.posts.values() if not p.deleted
                 and (not page_only or p.from_id == self.state.page_id)
                 and (since is None or p.created_at >= since) and (until is None or p.created_at <= until)]
        posts.sort(key=lambda p: (_ms(p.created_at), p.seq), reverse=True)
        return connection(self._path(self.state.page_id, "posts" if page_only else "feed"), posts,
                          lambda p: [-_ms(p.created_at), -p.seq], args,
                          lambda p: self.node("post", p, sub), self.token)

    def posts(self, obj: Any, args: dict[str, str], sub: Any) -> dict[str, Any]:
        return self.feed(obj, args, sub, page_only=True)

    def comments(self, obj: Post | Comment, args: dict[str, str], sub: Any) -> dict[str, Any]:
        filter_ = args.get("filter", "toplevel")
        order = args.get("order", "chronological")
        if filter_ not in ("toplevel", "stream") or order not in ("chronological", "reverse_chronological",
                                                                   "ranked"):
            raise GraphError(100, "(#100) param filter/order has an invalid value")
        if "ignore_stream_filter" in self.state.quirks:
            filter_ = "toplevel"
        if "ignore_order" in self.state.quirks:
            order = "chronological"
        if isinstance(obj, Post):
            items = self.state.comments_on(obj.id, toplevel=filter_ == "toplevel")
        else:
            items = self.state.replies_of(obj.id)
        reverse = order == "reverse_chronological"
        items.sort(key=lambda c: (_ms(c.created_at), c.seq), reverse=reverse)
        sign = -1 if reverse else 1
        summary = None
        if args.get("summary", "").lower() in ("true", "1", "total_count"):
            summary = {"order": order if "order" in args else "ranked", "total_count": len(items),
                       "can_comment": True}
        return connection(self._path(obj.id, "comments"), items,
                          lambda c: [sign * _ms(c.created_at), sign * c.seq], args,
                          lambda c: self.node("comment", c, sub), self.token, summary)

    def empty_edge(self, obj: Any, args: dict[str, str], sub: Any) -> dict[str, Any]:
        out: dict[str, Any] = {"data": []}
        if args.get("summary", "").lower() in ("true", "1", "total_count"):
            out["summary"] = {"total_count": 0}
        return out

    def conversations(self, _: Any, args: dict[str, str], sub: Any) -> dict[str, Any]:
        platform = args.get("platform", "messenger")
        if platform not in ("messenger", "instagram"):
            raise GraphError(100, "(#100) param platform must be one of {MESSENGER, INSTAGRAM}")
        user = args.get("user_id")
        convs = [c for c in self.state.conversations.values()
                 if c.platform == platform and (user is None or c.psid == user)]
        convs.sort(key=lambda c: (_ms(c.updated_at), c.seq), reverse=True)
        return connection(self._path(self.state.page_id, "conversations"), convs,
                          lambda c: [-_ms(c.updated_at), -c.seq], args,
                          lambda c: self.node("conversation", c, sub), self.token)

    def messages(self, conv: Conversation, args: dict[str, str], sub: Any) -> dict[str, Any]:
        msgs = sorted(self.state.messages_in(conv.id), key=lambda m: (_ms(m.created_at), m.seq), reverse=True)
        if conv.platform == "instagram":  # older messages exist but the API does not return them
            msgs = msgs[:IG_MESSAGES_READABLE]
        return connection(self._path(conv.id, "messages"), msgs, lambda m: [-_ms(m.created_at), -m.seq], args,
                          lambda m: self.node("message", m, sub), self.token)

    # ---- Instagram edges -------------------------------------------------------------------
    def ig_media(self, _: Any, args: dict[str, str], sub: Any) -> dict[str, Any]:
        """``/{ig-user-id}/media``: the account's media, newest first."""
        media = sorted((m for m in self.state.ig_media.values() if not m.deleted),
                       key=lambda m: (_ms(m.created_at), m.seq), reverse=True)
        return connection(self._path(self.state.ig_user_id, "media"), media, lambda m: [-_ms(m.created_at), -m.seq],
                          args, lambda m: self.node("ig_media", m, sub), self.token)

    def ig_comments(self, media: IgMedia, args: dict[str, str], sub: Any) -> dict[str, Any]:
        """``/{ig-media-id}/comments``: top-level comments, oldest first (as the reference's sample)."""
        items = sorted(self.state.ig_comments_on(media.id), key=lambda c: (_ms(c.created_at), c.seq))
        return connection(self._path(media.id, "comments"), items, lambda c: [_ms(c.created_at), c.seq], args,
                          lambda c: self.node("ig_comment", c, sub), self.token)

    def ig_replies(self, comment: IgComment, args: dict[str, str], sub: Any) -> dict[str, Any]:
        """``/{ig-comment-id}/replies``: the replies under a top-level comment, oldest first."""
        items = sorted(self.state.ig_replies_of(comment.id), key=lambda c: (_ms(c.created_at), c.seq))
        return connection(self._path(comment.id, "replies"), items, lambda c: [_ms(c.created_at), c.seq], args,
                          lambda c: self.node("ig_comment", c, sub), self.token)
