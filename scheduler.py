"""The scheduler: one APScheduler ``BlockingScheduler`` process, jobs that are one-line calls into
``social_care``. Jobs hold no business state; a rate limit pauses a stream in the store (the next tick
skips it) and no job ever sleeps waiting for a platform.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from social_care.app import App
from social_care.errors import SocialCareError

__all__ = ["build_scheduler", "build_enqueue_scheduler", "poll_intervals", "main"]
log = logging.getLogger("social_care.scheduler")


def poll_intervals(app: App) -> dict[str, int]:
    s = app.settings
    return {
        "x.mentions": s.poll_x_mentions_seconds,
        "x.dms": s.poll_x_dms_seconds,
        "facebook.comments": s.poll_facebook_comments_seconds,
        "facebook.messenger": s.poll_facebook_messenger_seconds,
    }


def _guarded(name: str, func: Callable[..., Any], *args: Any) -> Callable[[], Any]:
    """A job body: a SocialCareError is logged and the scheduler goes on; anything else APScheduler logs."""

    def job() -> Any:
        try:
            return func(*args)
        except SocialCareError as exc:
            log.error("job %s failed: %s", name, exc)
            return None

    job.__name__ = name.replace(":", "_").replace(".", "_")
    return job


def build_scheduler(app: App, *, scheduler: BaseScheduler | None = None, tick_seconds: int | None = None) -> BaseScheduler:
    """Register every job on ``scheduler`` (a new BlockingScheduler in UTC by default).

    ``tick_seconds`` runs the alert and follow-up jobs that often (the demo's compressed time).
    """
    from social_care import followup
    from social_care.alerts import deliver, evaluate
    from social_care.outbox import send_due
    from social_care.pipeline import poll_stream
    from social_care.reports import weekly_job

    # polling, sending and alerting start at once: a restarted service must not wait a whole interval
    start = datetime.now(UTC)
    sched = scheduler or BlockingScheduler(
        timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30}
    )
    intervals = poll_intervals(app)
    for connector in app.connectors:
        seconds = intervals.get(connector.stream, 60)
        sched.add_job(
            _guarded(f"poll:{connector.stream}", poll_stream, app, connector),
            IntervalTrigger(seconds=seconds, jitter=max(1, min(15, seconds // 6))),
            id=f"poll:{connector.stream}", name=f"poll {connector.stream}", replace_existing=True,
            next_run_time=start,
        )
    sched.add_job(_guarded("outbox", send_due, app), IntervalTrigger(seconds=app.settings.outbox_interval_seconds),
                  id="outbox", name="send approved replies", replace_existing=True, next_run_time=start)
    sched.add_job(_guarded("alerts:evaluate", evaluate, app), IntervalTrigger(seconds=tick_seconds or 30),
                  id="alerts:evaluate", name="find what needs a Slack ping", replace_existing=True,
                  next_run_time=start)
    sched.add_job(_guarded("alerts:deliver", deliver, app), IntervalTrigger(seconds=min(tick_seconds or 5, 5)),
                  id="alerts:deliver", name="send Slack pings", replace_existing=True, next_run_time=start)
    sched.add_job(_guarded("followup", followup.run, app), IntervalTrigger(seconds=tick_seconds or 300),
                  id="followup", name="follow up resolved cases", replace_existing=True)
    sched.add_job(_guarded("report:weekly", weekly_job, app), _weekly_trigger(app),
                  id="report:weekly", name="weekly mention report", replace_existing=True,
                  misfire_grace_time=6 * 3600)
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
    from apscheduler.triggers.cron import CronTrigger

    from social_care.reports import ReportSettings

    # day names, never from_crontab: in APScheduler 3.x "1" would mean Tuesday
    return CronTrigger(**ReportSettings.from_settings(app.settings).cron_trigger_kwargs())


def main() -> None:
    from social_care.cli import main as cli_main

    cli_main(["run"])


if __name__ == "__main__":
    main()
