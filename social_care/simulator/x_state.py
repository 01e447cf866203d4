"""State of the simulated X account: users, tweets (posts) and DM events."""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from ._util import Record, Snowflake, as_utc

if TYPE_CHECKING:
    from .core import Simulator

MENTION_RE = re.compile(r"(?<![\w@])@(\w{1,15})")


@dataclass
class XUser(Record):
    id: str
    username: str
    name: str
    followers: int = 0
    following: int = 0
    created_at: datetime | None = None
    description: str = ""
    dm_open: bool = True  # False → the brand cannot DM this user (403)


@dataclass
class Tweet(Record):
    id: str
    text: str
    author_id: str
    created_at: datetime
    conversation_id: str
    in_reply_to_tweet_id: str | None = None
    in_reply_to_user_id: str | None = None
    deleted: bool = False
    retweet_of: str | None = None  # a retweet ("RT @user: ...") of this tweet id

    @property
    def referenced_tweets(self) -> list[dict[str, str]] | None:
        if self.retweet_of is not None:
            return [{"type": "retweeted", "id": self.retweet_of}]
        if self.in_reply_to_tweet_id is None:
            return None
        return [{"type": "replied_to", "id": self.in_reply_to_tweet_id}]

    def mentioned_usernames(self) -> list[str]:
        return [m.group(1) for m in MENTION_RE.finditer(self.text)]


@dataclass
class DMEvent(Record):
    id: str
    text: str
    sender_id: str
    dm_conversation_id: str
    created_at: datetime
    event_type: str = "MessageCreate"
    participant_ids: list[str] = field(default_factory=list)


def conversation_id_for(a: str, b: str) -> str:
    """1:1 DM conversation id: "{smaller}-{larger}" (numeric order)."""
    lo, hi = sorted((a, b), key=lambda s: (len(s), s) if s.isdigit() else (0, s))
    return f"{lo}-{hi}"


class XState:
    def __init__(self, sim: Simulator, user_id: str, username: str, name: str) -> None:
        self._sim = sim
        self.lock = threading.RLock()
        self.user_id, self.username, self.name = user_id, username, name
        self._ids = Snowflake()
        self.users: dict[str, XUser] = {}
        self.tweets: dict[str, Tweet] = {}
        self.dm_events: dict[str, DMEvent] = {}
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.users.clear()
            self.tweets.clear()
            self.dm_events.clear()
            self.users[self.user_id] = XUser(self.user_id, self.username, self.name, followers=1000)
            # X's rule for self-serve apps: a reply only to a post that mentions or quotes the brand; False
            # plays an app tier without that rule
            self.summoned_replies_only = True

    # ---- seeding -----------------------------------------------------------------
    def add_user(self, id: str, username: str, name: str | None = None, followers: int | None = None) -> XUser:
        id = str(id)
        with self.lock:
            user = self.users.get(id)
            if user is None:
                user = self.users[id] = XUser(id, username, name or username, followers or 0)
            else:
                user.username, user.name = username, name or user.name
                if followers is not None:
                    user.followers = followers
            return user

    def add_tweet(self, author_id: str, text: str, *, username: str | None = None, name: str | None = None,
                  created_at: datetime | str | None = None, followers: int | None = None,
                  in_reply_to: str | None = None, retweet_of: str | None = None) -> str:
        """Any post by anyone (use add_mention for posts that @mention the brand); ``retweet_of`` makes it a
        retweet of that tweet id."""
        author_id = str(author_id)
        with self.lock:
            if username is not None or author_id not in self.users:
                self.add_user(author_id, username or f"user{author_id}", name, followers)
            elif followers is not None:
                self.users[author_id].followers = followers
            at = as_utc(created_at, self._sim.clock)
            tid = self._ids.next(at)
            parent = self.tweets.get(str(in_reply_to)) if in_reply_to else None
            self.tweets[tid] = Tweet(
                id=tid, text=text, author_id=author_id, created_at=at,
                conversation_id=parent.conversation_id if parent else (str(in_reply_to) if in_reply_to else tid),
                in_reply_to_tweet_id=str(in_reply_to) if in_reply_to else None,
                in_reply_to_user_id=parent.author_id if parent else None,
                retweet_of=str(retweet_of) if retweet_of else None)
            self._sim.webhooks.tweet_created(self.tweets[tid])
            return tid

    def add_mention(self, author_id: str = "42", username: str = "janedoe", name: str | None = "Jane Doe",
                    text: str = "", created_at: datetime | str | None = None, followers: int | None = None,
                    in_reply_to: str | None = None) -> str:
        """A post that @mentions the brand; "@<brand> " is prepended if the text lacks it."""
        if f"@{self.username.lower()}" not in text.lower():
            text = f"@{self.username} {text}".rstrip()
        return self.add_tweet(author_id, text, username=username, name=name, created_at=created_at,
                              followers=followers, in_reply_to=in_reply_to)

    def add_dm(self, sender_id: str = "42", username: str = "janedoe", text: str = "",
               created_at: datetime | str | None = None, name: str | None = None,
               followers: int | None = None) -> str:
        """A DM from a customer to the brand (1:1 conversation)."""
        sender_id = str(sender_id)
        with self.lock:
            if username is not None or sender_id not in self.users:
                self.add_user(sender_id, username or f"user{sender_id}", name, followers)
            return self._append_dm(sender_id, conversation_id_for(sender_id, self.user_id), text, created_at)

    def _append_dm(self, sender_id: str, conv_id: str, text: str, created_at: datetime | str | None = None) -> str:
        at = as_utc(created_at, self._sim.clock)
        eid = self._ids.next(at)
        self.dm_events[eid] = DMEvent(eid, text, sender_id, conv_id, at)
        self._sim.webhooks.dm_created(self.dm_events[eid])
        return eid

    def delete_tweet(self, tweet_id: str) -> str:
        """The author deletes the post (the API stops showing it; webhooks send ``tweet_delete_events``)."""
        with self.lock:
            tweet = self.live_tweet(tweet_id)
            if tweet is None:
                raise KeyError(f"no such post: {tweet_id}")
            relevant = self.is_mention(tweet) or tweet.author_id == self.user_id
            tweet.deleted = True
            if relevant:
                self._sim.webhooks.tweet_deleted(tweet)
            return tweet.id

    def _post_as_brand(self, text: str, in_reply_to: str | None) -> str:
        return self.add_tweet(self.user_id, text, in_reply_to=in_reply_to)

    # ---- queries -----------------------------------------------------------------
    def is_mention(self, tweet: Tweet, user_id: str | None = None) -> bool:
        user = self.users.get(user_id or self.user_id)
        if user is None or tweet.deleted:
            return False
        if user.username.lower() in (u.lower() for u in tweet.mentioned_usernames()):
            return True
        return tweet.in_reply_to_user_id == user.id and tweet.author_id != user.id

    def mentions_of(self, user_id: str) -> list[Tweet]:
        with self.lock:
            found = [t for t in self.tweets.values() if self.is_mention(t, user_id)]
        return sorted(found, key=lambda t: int(t.id), reverse=True)

    def tweets_of(self, user_id: str) -> list[Tweet]:
        """The user's own posts (their timeline, replies included), newest first."""
        with self.lock:
            found = [t for t in self.tweets.values() if t.author_id == str(user_id) and not t.deleted]
        return sorted(found, key=lambda t: int(t.id), reverse=True)

    def live_tweet(self, tweet_id: str) -> Tweet | None:
        tweet = self.tweets.get(str(tweet_id))
        return None if tweet is None or tweet.deleted else tweet

    def replies_to(self, tweet_id: str) -> list[Tweet]:
        """The brand's (not deleted) replies to ``tweet_id``, oldest first."""
        with self.lock:
            return [t for t in self.tweets.values() if t.author_id == self.user_id
                    and t.in_reply_to_tweet_id == str(tweet_id) and not t.deleted]

    def dms_to(self, user_id: str) -> list[DMEvent]:
        """DM events the brand sent to ``user_id``, oldest first."""
        conv = conversation_id_for(str(user_id), self.user_id)
        with self.lock:
            return [e for e in self.dm_events.values() if e.dm_conversation_id == conv and e.sender_id == self.user_id]

    def events_for(self, user_id: str) -> list[DMEvent]:
        """DM events visible to ``user_id``, newest first."""
        with self.lock:
            found = [e for e in self.dm_events.values() if user_id in e.dm_conversation_id.split("-")]
        return sorted(found, key=lambda e: int(e.id), reverse=True)
