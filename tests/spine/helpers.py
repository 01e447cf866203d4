"""Small helpers for the spine tests: feed the simulator one item per channel, find connectors."""

from __future__ import annotations

from typing import Any

from social_care.models import Channel

ANGRY = "This is the worst service ever, my order never arrived and nobody answers. I want a refund now!"
HAPPY = "Thank you so much, the shoes are perfect and arrived early! Love this shop."


def connector(app: Any, stream: str) -> Any:
    return next(c for c in app.connectors if c.stream == stream)


STREAM_OF = {
    Channel.X_MENTION: "x.mentions",
    Channel.X_DM: "x.dms",
    Channel.FACEBOOK_COMMENT: "facebook.comments",
    Channel.MESSENGER: "facebook.messenger",
    Channel.INSTAGRAM_COMMENT: "instagram.comments",
    Channel.INSTAGRAM_DM: "instagram.dms",
    Channel.X_SEARCH: "x.search",
}
# the simulator's fault injection works per API: Instagram is served by the Graph API
FAULT_PLATFORM = {c: ("facebook" if c.platform == "instagram" else c.platform) for c in Channel}
IG_USER_ID = "17841400000000001"  # the simulator's Instagram business account
SEARCH_TERMS = "acme, acme shop, akme"
# more than one page for each stream (X mentions 100, DMs 100, comments 50, conversations 25, Instagram
# comments 50 over media 25 a page, recent search 100)
PAGE_FILL = {Channel.X_MENTION: 105, Channel.X_DM: 105, Channel.FACEBOOK_COMMENT: 55, Channel.MESSENGER: 30,
             Channel.INSTAGRAM_COMMENT: 55, Channel.INSTAGRAM_DM: 30, Channel.X_SEARCH: 105}


def allow_any_reply(sim: Any, channel: Channel) -> None:
    """X lets a self-serve app reply only to posts that tag the brand; tests that send on the search channel
    play an app tier without that rule (the rule itself: test_new_channels.py)."""
    if channel == Channel.X_SEARCH:
        sim.x.summoned_replies_only = False


# settings that turn on the three newer streams (they are off unless configured)
ALL_CHANNELS = {"INSTAGRAM_BUSINESS_ACCOUNT_ID": IG_USER_ID, "SOCIAL_CARE_X_SEARCH_TERMS": SEARCH_TERMS}


class Feeder:
    """Adds customer posts to the simulator on any channel, with a distinct customer each time."""

    def __init__(self, sim: Any) -> None:
        self.sim = sim
        self.n = 0
        self.page_post: str | None = None
        self.comments_on_post = 0
        self.media: str | None = None
        self.comments_on_media = 0

    def add(self, channel: Channel, text: str, *, author: str | None = None, name: str = "Jane Doe",
            created_at: Any = None, followers: int = 120) -> str:
        self.n += 1
        author = author or str(4200 + self.n)
        if channel == Channel.X_MENTION:
            return self.sim.x.add_mention(author_id=author, username=f"user{author}", name=name,
                                          text=f"@acmeshop {text}", created_at=created_at, followers=followers)
        if channel == Channel.X_DM:
            return self.sim.x.add_dm(sender_id=author, username=f"user{author}", name=name, text=text,
                                     created_at=created_at, followers=followers)
        if channel == Channel.FACEBOOK_COMMENT:
            # a new Page post every 20 comments, so comment streams span several posts and pages
            if self.page_post is None or self.comments_on_post >= 20:
                self.page_post = self.sim.facebook.add_post(message=f"Winter sale, day {self.n}!")
                self.comments_on_post = 0
            self.comments_on_post += 1
            return self.sim.facebook.add_comment(self.page_post, user_id=f"70{author}", name=name, text=text,
                                                 created_at=created_at)
        if channel == Channel.INSTAGRAM_COMMENT:
            # a new Instagram post every 20 comments, so the stream spans several media and pages
            if self.media is None or self.comments_on_media >= 20:
                self.media = self.sim.facebook.add_ig_media(caption=f"New arrivals, day {self.n}")
                self.comments_on_media = 0
            self.comments_on_media += 1
            return self.sim.facebook.add_ig_comment(self.media, user_id=f"60{author}", username=f"user{author}",
                                                    text=text, created_at=created_at)
        if channel == Channel.INSTAGRAM_DM:
            return self.sim.facebook.add_ig_message(igsid=f"61{author}", username=f"user{author}", text=text,
                                                    created_at=created_at)
        if channel == Channel.X_SEARCH:  # names the brand without tagging it
            return self.sim.x.add_tweet(author, f"ordered from Acme: {text}", username=f"user{author}", name=name,
                                        created_at=created_at, followers=followers)
        return self.sim.facebook.add_message(psid=f"80{author}", name=name, text=text, created_at=created_at)

    def many(self, channel: Channel, count: int, text: str = "where is my order?") -> list[str]:
        return [self.add(channel, f"{text} #{i}") for i in range(count)]
