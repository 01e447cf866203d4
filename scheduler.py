"""The scheduler: one APScheduler ``BlockingScheduler`` process, jobs that are one-line calls into
``social_care``. Jobs hold no business state; a rate limit pauses a stream in the store (the next tick
skips it) and no job ever sleeps waiting for a platform.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from social_care import followup
from social_care.alerts import deliver, evaluate
from social_care.alerts.outbox import next_send_in
from social_care.app import App
from social_care.errors import SocialCareError
from social_care.outbox import send_due
from social_care.pipeline import draft_pending
from social_care.reports import weekly_job
from social_care.webhooks.backstop import poll_unless_webhooks_live

__all__ = ["build_scheduler", "build_enqueue_scheduler", "poll_intervals"]
log = logging.getLogger("social_care.scheduler")
WOKEN = ("outbox", "alerts:deliver")  # what a webhook delivery wakes at once, besides the scheduled runs


def poll_intervals(app: App) -> dict[str, int]:
    s = app.settings
    return {
        "x.mentions": s.poll_x_mentions_seconds,
        "x.dms": s.poll_x_dms_seconds,
        "facebook.comments": s.poll_facebook_comments_seconds,
        "facebook.messenger": s.poll_facebook_messenger_seconds,
        "instagram.comments": s.poll_instagram_comments_seconds,
        "instagram.dms": s.poll_instagram_dms_seconds,
        "x.search": s.poll_x_search_seconds,
    }


def _guarded(name: str, func: Callable[..., Any], *args: Any, lock: Any = None) -> Callable[[], Any]:
    """A job body: a SocialCareError is logged and the scheduler goes on; anything else APScheduler logs.
    With ``lock``, the scheduled run and a run woken by a webhook delivery never overlap."""

    def job() -> Any:
        try:
            if lock is None:
                return func(*args)
            with lock:
                return func(*args)
        except SocialCareError as exc:
            log.error("job %s failed: %s", name, exc)
            return None

    job.__name__ = name.replace(":", "_").replace(".", "_")
    return job


def draft_and_send(app: App) -> Any:
    """The outbox job: first the drafts a large webhook batch left to be made (``draft_pending``), then
    every approved reply that is due."""
    draft_pending(app)
    return send_due(app)


# size: every job the service runs is registered here, in one list read top to bottom
def build_scheduler(
    app: App, *, scheduler: BaseScheduler | None = None, tick_seconds: int | None = None
) -> BaseScheduler:
    """Register every job on ``scheduler`` (a new BlockingScheduler in UTC by default).

    ``tick_seconds`` runs the alert and follow-up jobs that often (the demo's compressed time).
    """
    # polling, sending and alerting start at once: a restarted service must not wait a whole interval
    start = datetime.now(UTC)
    sched = scheduler or BlockingScheduler(
        timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30}
    )
    intervals = poll_intervals(app)
    for connector in app.connectors:
        seconds = intervals.get(connector.stream, 60)
        # while the platform's webhooks deliver, a run returns at once until the backstop interval has passed
        sched.add_job(
            _guarded(f"poll:{connector.stream}", poll_unless_webhooks_live, app, connector),
            IntervalTrigger(seconds=seconds, jitter=max(1, min(15, seconds // 6))),
            id=f"poll:{connector.stream}", name=f"poll {connector.stream}", replace_existing=True,
            next_run_time=start,
        )
    locks = {name: threading.Lock() for name in WOKEN}
    bodies = {"outbox": (draft_and_send, "send approved replies"), "alerts:deliver": (deliver, "send Slack pings")}
    sched.add_job(_guarded("outbox", draft_and_send, app, lock=locks["outbox"]),
                  IntervalTrigger(seconds=app.settings.outbox_interval_seconds),
                  id="outbox", name="send approved replies", replace_existing=True, next_run_time=start)
    sched.add_job(_guarded("alerts:evaluate", evaluate, app), IntervalTrigger(seconds=tick_seconds or 30),
                  id="alerts:evaluate", name="find what needs a Slack ping", replace_existing=True,
                  next_run_time=start)
    sched.add_job(_guarded("alerts:deliver", deliver, app, lock=locks["alerts:deliver"]),
                  IntervalTrigger(seconds=min(tick_seconds or 5, 5)),
                  id="alerts:deliver", name="send Slack pings", replace_existing=True, next_run_time=start)
    sched.add_job(_guarded("followup", followup.run, app), IntervalTrigger(seconds=tick_seconds or 300),
                  id="followup", name="follow up resolved cases", replace_existing=True)
    sched.add_job(_guarded("report:weekly", weekly_job, app), _weekly_trigger(app),
                  id="report:weekly", name="weekly mention report", replace_existing=True,
                  misfire_grace_time=6 * 3600)

    pending: dict[str, float] = {}  # job name → when a woken run was added that has not started yet

    def woken(name: str, *, paced: bool = False) -> Callable[[], Any]:
        func = bodies[name][0]

        def run() -> Any:
            with locks[name]:
                if not paced:
                    pending.pop(name, None)  # from here on, a new wake needs a run of its own
                result = func(app)
            if name == "alerts:deliver":
                _again_when_paced(name)
            return result

        return _guarded(f"wake:{name}", run)

    def _again_when_paced(name: str) -> None:
        """Slack's pacing (1 message/s) held a ping back: send it when the pacing allows, not at the next tick."""
        wait = next_send_in(app)
        if wait is None or not 0 < wait < 5:
            return
        try:
            sched.add_job(woken(name, paced=True), "date", run_date=datetime.now(UTC) + timedelta(seconds=wait),
                          id=f"wake:{name}:paced", name=f"{bodies[name][1]} (paced)", replace_existing=True,
                          max_instances=2, misfire_grace_time=60)
        except Exception as exc:  # noqa: BLE001 - the scheduled run sends it
            log.info("could not wake %s again: %s", name, exc)

    def wake() -> None:
        """A webhook delivery was stored: send its replies and Slack pings now, not at the next tick (a
        one-off run per job, serialized with the scheduled one by its lock; wakes before it starts coalesce)."""
        now = datetime.now(UTC)
        for name in WOKEN:
            added = pending.get(name)
            if added is not None and time.monotonic() - added < 30:
                continue  # a woken run that has not started yet will see this delivery too
            pending[name] = time.monotonic()
            try:
                sched.add_job(woken(name), "date", run_date=now, id=f"wake:{name}", name=f"{bodies[name][1]} (woken)",
                              replace_existing=True, max_instances=2, misfire_grace_time=60)
            except Exception as exc:  # noqa: BLE001 - a shut-down scheduler: the next start sends it
                pending.pop(name, None)
                log.info("could not wake %s: %s", name, exc)

    app.wake = wake
    return sched


def build_enqueue_scheduler(app: App, scheduler: BaseScheduler, *, tick_seconds: int | None = None,
                            enqueue: Callable[..., None]) -> BaseScheduler:
    """Scaled out (``SOCIAL_CARE_BROKER_URL``): the same timetable, but each job only enqueues a Celery
    task (``social_care.scale.tasks``) for the workers; only the elected leader runs this scheduler.

    ``enqueue(task, *args, expires=seconds, unless_held=lease)``: a trigger the workers did not get to
    within its interval is dropped, the next one does the same work; none is sent while ``lease`` is held."""
    from social_care.scale import tasks

    start = datetime.now(UTC)
    sched = scheduler
    intervals = poll_intervals(app)
    for connector in app.connectors:
        seconds = intervals.get(connector.stream, 60)
        # like the embedded scheduler's coalescing: no new trigger while a worker is still polling the stream,
        # and a trigger no worker took within the interval is dropped (the next one does the same work)
        sched.add_job(enqueue, IntervalTrigger(seconds=seconds), args=(tasks.poll_stream, connector.stream),
                      kwargs={"expires": seconds, "unless_held": f"poll:{connector.stream}"},
                      id=f"poll:{connector.stream}",
                      name=f"enqueue poll {connector.stream}", replace_existing=True, next_run_time=start)
    every = {  # job: (task, interval, the lease its task holds while it runs)
        "outbox": (tasks.outbox_sweep, app.settings.outbox_interval_seconds, None),
        "drafts": (tasks.draft_batch, app.settings.outbox_interval_seconds, "drafts"),  # as draft_and_send
        "alerts:evaluate": (tasks.evaluate_alerts, tick_seconds or 30, "alerts:evaluate"),
        "alerts:deliver": (tasks.deliver_alerts, min(tick_seconds or 5, 5), "alerts:slack"),
        "followup": (tasks.followup, tick_seconds or 300, "followup"),
    }
    for job_id, (task, seconds, lease) in every.items():
        # as embedded, follow-ups wait one interval; the rest start at once
        first = {} if job_id == "followup" else {"next_run_time": start}
        sched.add_job(enqueue, IntervalTrigger(seconds=seconds), args=(task,),
                      kwargs={"expires": seconds, "unless_held": lease},
                      id=job_id, name=f"enqueue {job_id}", replace_existing=True, **first)
    sched.add_job(enqueue, _weekly_trigger(app), args=(tasks.weekly_report,), kwargs={"expires": 6 * 3600},
                  id="report:weekly", name="enqueue the weekly mention report", replace_existing=True,
                  misfire_grace_time=6 * 3600)
    return sched


def _weekly_trigger(app: App) -> Any:
    # day names, never from_crontab: in APScheduler 3.x "1" would mean Tuesday
    return CronTrigger(**app.settings.reports.cron_trigger_kwargs())

if __name__ == "__main__":  # `python scheduler.py` is `social-care run`; never runs on import
    from social_care.cli import main

    main(["run"])
