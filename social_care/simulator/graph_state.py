"""State of the simulated Facebook Page: posts, comments, Messenger conversations."""
from __future__ import annotations

import base64
import hashlib
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ._util import Counter, Record, as_utc

if TYPE_CHECKING:
    from .core import Simulator


@dataclass
class Post(Record):
    id: str
    message: str
    created_at: datetime
    from_id: str
    from_name: str
    seq: int
    deleted: bool = False

    @property
    def suffix(self) -> str:
        return self.id.split("_", 1)[1]


@dataclass
class Comment(Record):
    id: str
    post_id: str
    message: str
    created_at: datetime
    from_id: str
    from_name: str
    seq: int
    parent_id: str | None = None  # top-level comment this reply belongs to
    in_reply_to: str | None = None  # the object the author replied to (post or comment id)
    is_hidden: bool = False
    deleted: bool = False


@dataclass
class Message(Record):
    id: str
    conversation_id: str
    text: str
    created_at: datetime
    from_id: str
    from_name: str
    to_id: str
    to_name: str
    seq: int
    messaging_type: str | None = None
    tag: str | None = None


@dataclass
class Conversation(Record):
    id: str
    psid: str  # the Page-scoped id (Messenger) or the Instagram-scoped id (Instagram) of the person
    name: str
    updated_at: datetime
    last_user_message_at: datetime | None = None
    platform: str = "messenger"  # "messenger" | "instagram"
    seq: int = 0  # creation order (ties in updated_time)


@dataclass
class IgMedia(Record):
    """A photo, video or carousel on the Instagram business account."""
    id: str
    caption: str
    created_at: datetime
    seq: int
    shortcode: str
    deleted: bool = False


@dataclass
class IgComment(Record):
    id: str
    media_id: str
    text: str
    created_at: datetime
    from_id: str  # the commenter's Instagram-scoped id (the business account's own id for its replies)
    username: str
    seq: int
    parent_id: str | None = None  # the top-level comment a reply belongs to (replies are one level deep)
    hidden: bool = False
    deleted: bool = False


class FacebookState:
    def __init__(self, sim: Simulator, page_id: str, page_name: str) -> None:
        self._sim = sim
        self.lock = threading.RLock()
        self.page_id, self.page_name = page_id, page_name
        self._post_ids = Counter(122100000000000001)
        self._comment_ids = Counter(1100000000000001)
        self._thread_ids = Counter(10224567890123456)
        self._seq = Counter(1)
        self.posts: dict[str, Post] = {}
        self.comments: dict[str, Comment] = {}
        self.conversations: dict[str, Conversation] = {}
        self.messages: dict[str, Message] = {}
        self.users: dict[str, str] = {}  # user id / PSID / IGSID -> name
        # the Instagram business account linked to the Page (Instagram API with Facebook Login)
        self.ig_user_id, self.ig_username = "17841400000000001", page_name.lower().replace(" ", "") + "shop"
        self._ig_ids = Counter(17900000000000001)
        self.ig_media: dict[str, IgMedia] = {}
        self.ig_comments: dict[str, IgComment] = {}
        self.token_expired = False
        # legal variations of the documented API, to prove clients do not depend on one reading of it:
        # "ignore_order" (comments always chronological), "ignore_stream_filter" (top-level comments
        # only)
        self.quirks: set[str] = set()

    def reset(self) -> None:
        with self.lock:
            for table in (self.posts, self.comments, self.conversations, self.messages, self.users,
                          self.ig_media, self.ig_comments):
                table.clear()
            self.token_expired = False
            self.quirks.clear()

    # ---- seeding -------------------------------------------------------------------------
    def add_post(self, message: str = "", created_at: datetime | str | None = None, from_page: bool = True,
                 user_id: str | None = None, name: str | None = None) -> str:
        """A post on the Page (by the Page, or by a visitor when from_page=False)."""
        with self.lock:
            pid = f"{self.page_id}_{self._post_ids.next()}"
            author = (self.page_id, self.page_name) if from_page else (str(user_id or "7012345678900000"),
                                                                      name or "Visitor")
            if not from_page:
                self.users[author[0]] = author[1]
            self.posts[pid] = Post(pid, message, as_utc(created_at, self._sim.clock), author[0], author[1],
                                   self._seq.next())
            self._sim.webhooks.post_added(self.posts[pid])
            return pid

    def add_comment(self, post_id: str, user_id: str = "7012345678901234", name: str = "Jane Doe", text: str = "",
                    parent_id: str | None = None, created_at: datetime | str | None = None) -> str:
        """A comment on ``post_id`` (a reply when ``parent_id`` is a comment id)."""
        with self.lock:
            self.users[str(user_id)] = name
            return self._comment(post_id, str(user_id), name, text, parent_id, created_at).id

    def _comment(self, post_id: str, from_id: str, from_name: str, text: str, parent_id: str | None,
                 created_at: datetime | str | None = None) -> Comment:
        post = self.posts.get(post_id)
        if post is None or post.deleted:
            raise KeyError(f"no such post: {post_id}")
        top = None
        if parent_id is not None:
            parent = self.comments.get(parent_id)
            if parent is None or parent.deleted or parent.post_id != post_id:
                raise KeyError(f"no such comment on {post_id}: {parent_id}")
            top = parent.parent_id or parent.id  # replies are one level deep
        cid = f"{post.suffix}_{self._comment_ids.next()}"
        comment = Comment(cid, post_id, text, as_utc(created_at, self._sim.clock), from_id, from_name,
                          self._seq.next(), parent_id=top, in_reply_to=parent_id or post_id)
        self.comments[cid] = comment
        self._sim.webhooks.comment_changed(comment, "add")
        return comment

    def edit_comment(self, comment_id: str, text: str) -> str:
        """The author edits their comment (webhook verb ``edited``); the Graph API shows the new text."""
        with self.lock:
            comment = self.comments.get(comment_id)
            if comment is None or comment.deleted:
                raise KeyError(f"no such comment: {comment_id}")
            comment.message = text
            self._sim.webhooks.comment_changed(comment, "edited")
            return comment.id

    def remove_comment(self, comment_id: str) -> str:
        """The author deletes their comment (webhook verb ``remove``); it disappears from the Graph API."""
        with self.lock:
            comment = self.comments.get(comment_id)
            if comment is None or comment.deleted:
                raise KeyError(f"no such comment: {comment_id}")
            comment.deleted = True
            self._sim.webhooks.comment_changed(comment, "remove")
            return comment.id

    def add_message(self, psid: str = "7012345678901234", name: str = "Jane Doe", text: str = "",
                    created_at: datetime | str | None = None) -> str:
        """A Messenger message from a person to the Page; creates/extends their conversation."""
        with self.lock:
            psid = str(psid)
            self.users[psid] = name
            conv = self.conversation_for(psid, create=True, name=name)
            assert conv is not None
            msg = self._message(conv, psid, name, self.page_id, self.page_name, text, created_at)
            if conv.last_user_message_at is None or msg.created_at > conv.last_user_message_at:
                conv.last_user_message_at = msg.created_at
            return msg.id

    # ---- Instagram seeding --------------------------------------------------------------
    def add_ig_media(self, caption: str = "", created_at: datetime | str | None = None) -> str:
        """A post (photo) on the Instagram business account."""
        with self.lock:
            mid = str(self._ig_ids.next())
            code = base64.urlsafe_b64encode(hashlib.sha256(mid.encode()).digest()).decode()[:11]
            self.ig_media[mid] = IgMedia(mid, caption, as_utc(created_at, self._sim.clock), self._seq.next(), code)
            return mid

    def add_ig_comment(self, media_id: str, user_id: str = "6012345678901234", username: str = "jane.doe",
                       text: str = "", parent_id: str | None = None, created_at: datetime | str | None = None) -> str:
        """A comment on ``media_id`` by an Instagram user (a reply when ``parent_id`` is a comment id)."""
        with self.lock:
            self.users[str(user_id)] = username
            return self._ig_comment(media_id, str(user_id), username, text, parent_id, created_at).id

    def _ig_comment(self, media_id: str, from_id: str, username: str, text: str, parent_id: str | None,
                    created_at: datetime | str | None = None) -> IgComment:
        media = self.ig_media.get(media_id)
        if media is None or media.deleted:
            raise KeyError(f"no such media: {media_id}")
        top = None
        if parent_id is not None:
            parent = self.ig_comments.get(parent_id)
            if parent is None or parent.deleted or parent.media_id != media_id:
                raise KeyError(f"no such comment on {media_id}: {parent_id}")
            top = parent.parent_id or parent.id  # a reply to a reply goes under the top-level comment
        cid = str(self._ig_ids.next())
        comment = IgComment(cid, media_id, text, as_utc(created_at, self._sim.clock), from_id, username,
                            self._seq.next(), parent_id=top)
        self.ig_comments[cid] = comment
        self._sim.webhooks.ig_comment_added(comment)
        return comment

    def add_ig_message(self, igsid: str = "6112345678901234", username: str = "jane.doe", text: str = "",
                       created_at: datetime | str | None = None) -> str:
        """An Instagram direct message from a person to the business account."""
        with self.lock:
            igsid = str(igsid)
            self.users[igsid] = username
            conv = self.conversation_for(igsid, create=True, name=username, platform="instagram")
            assert conv is not None
            msg = self._message(conv, igsid, username, self.ig_user_id, self.ig_username, text, created_at)
            if conv.last_user_message_at is None or msg.created_at > conv.last_user_message_at:
                conv.last_user_message_at = msg.created_at
            return msg.id

    def ig_comments_on(self, media_id: str) -> list[IgComment]:
        with self.lock:
            return [c for c in self.ig_comments.values() if c.media_id == media_id and c.parent_id is None
                    and not c.deleted]

    def ig_replies_of(self, comment_id: str) -> list[IgComment]:
        with self.lock:
            return [c for c in self.ig_comments.values() if c.parent_id == comment_id and not c.deleted]

    def ig_replies_to(self, comment_id: str) -> list[IgComment]:
        """The business account's own replies under ``comment_id``, oldest first."""
        return [c for c in self.ig_replies_of(comment_id) if c.from_id == self.ig_user_id]

    def _message(self, conv: Conversation, from_id: str, from_name: str, to_id: str, to_name: str, text: str,
                 created_at: datetime | str | None = None, **extra: Any) -> Message:
        seq = self._seq.next()
        digest = hashlib.sha256(f"{self.page_id}:{seq}".encode()).digest()
        mid = "m_" + base64.urlsafe_b64encode(digest).decode().rstrip("=")
        msg = Message(mid, conv.id, text, as_utc(created_at, self._sim.clock), from_id, from_name, to_id, to_name,
                      seq, **extra)
        self.messages[mid] = msg
        conv.updated_at = max(conv.updated_at, msg.created_at)
        self._sim.webhooks.message_added(msg)
        return msg

    def conversation_for(self, psid: str, create: bool = False, name: str | None = None,
                         platform: str = "messenger") -> Conversation | None:
        with self.lock:
            conv = next((c for c in self.conversations.values() if c.psid == psid), None)
            if conv is None and create:
                # Instagram conversation ids are opaque base64 text; Messenger's are t_<number>
                number = self._thread_ids.next()
                cid = (f"t_{number}" if platform == "messenger" else
                       "aWdfZAG06" + base64.urlsafe_b64encode(str(number).encode()).decode().rstrip("="))
                conv = self.conversations[cid] = Conversation(cid, psid, name or self.users.get(psid, ""),
                                                              self._sim.clock(), platform=platform, seq=number)
                conv.updated_at = datetime.min.replace(tzinfo=conv.updated_at.tzinfo)
            return conv

    # ---- queries -------------------------------------------------------------------------
    def comments_on(self, post_id: str, toplevel: bool = True) -> list[Comment]:
        with self.lock:
            return [c for c in self.comments.values() if c.post_id == post_id and not c.deleted
                    and (not toplevel or c.parent_id is None)]

    def replies_of(self, comment_id: str) -> list[Comment]:
        with self.lock:
            return [c for c in self.comments.values() if c.parent_id == comment_id and not c.deleted]

    def messages_in(self, conversation_id: str) -> list[Message]:
        with self.lock:
            return [m for m in self.messages.values() if m.conversation_id == conversation_id]

    def replies_to(self, object_id: str) -> list[Comment]:
        """The Page's (not deleted) comments written in reply to ``object_id`` (comment or post), oldest first."""
        with self.lock:
            return [c for c in self.comments.values() if c.from_id == self.page_id and c.in_reply_to == object_id
                    and not c.deleted]

    def messages_to(self, psid: str) -> list[Message]:
        """Messages the Page sent to ``psid``, oldest first."""
        with self.lock:
            return [m for m in self.messages.values() if m.from_id in (self.page_id, self.ig_user_id)
                    and m.to_id == str(psid)]

    def lookup(self, object_id: str) -> tuple[str, Any] | None:
        """(node type, object) for any live id the simulator knows."""
        if object_id in (self.page_id, "me"):
            return "page", None
        if object_id == self.ig_user_id:
            return "ig_user", None
        for kind, table in (("post", self.posts), ("comment", self.comments),
                            ("conversation", self.conversations), ("message", self.messages),
                            ("ig_media", self.ig_media), ("ig_comment", self.ig_comments)):
            obj = table.get(object_id)
            if obj is not None and not getattr(obj, "deleted", False):
                return kind, obj
        if object_id in self.users:
            return "user", object_id
        return None
