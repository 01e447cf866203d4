"""The store: SQLModel tables, engine/migrations and the functions that write them."""

from .engine import make_engine, session_scope, upgrade
from .tables import (
    Alert,
    Cursor,
    Feedback,
    PollRun,
    Post,
    PostView,
    Reply,
    StatusEvent,
    StreamPause,
    User,
)

__all__ = [
    "make_engine",
    "upgrade",
    "session_scope",
    "Post",
    "Reply",
    "StatusEvent",
    "Cursor",
    "StreamPause",
    "PollRun",
    "User",
    "Feedback",
    "PostView",
    "Alert",
]

from ..inbox import tables as _inbox_tables  # noqa: E402,F401  (registers the inbox tools' tables)
