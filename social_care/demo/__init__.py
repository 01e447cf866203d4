"""``social-care demo``: the simulator, a bundled set of customer posts arriving over time, and the
real service (scheduler, outbox, Slack pings, queue page) running against it."""

from .runner import DemoFeed, load_demo_posts, run_demo

__all__ = ["run_demo", "load_demo_posts", "DemoFeed"]
