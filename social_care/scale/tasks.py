"""The Celery app and its tasks: the same work as the embedded scheduler's jobs, one unit per task.

Queues: ``ingest`` (poll one stream, draft one large webhook batch, find what needs a Slack ping, the
weekly report), ``send`` (send one reply, the outbox sweep that hands out due replies, follow-ups) and
``alerts`` (deliver Slack alerts), so a Slack outage never delays replies and a polling backlog never
delays either. A webhook delivery is stored by the web process before its 200; ``social_care.scale.wake``
then enqueues its sends here.

Every task is acknowledged late (``acks_late``: a worker killed mid-task has its task redelivered,
``reject_on_worker_lost``), has a soft and a hard time limit, and is idempotent: the database says what
is left to do, and leases (``social_care.scale.leases``) keep two workers off the same stream, reply or
Slack webhook. A task that cannot succeed goes to the ``dead_letters`` table with the reason and is not
retried: a poison input (a malformed argument, an unknown stream, a reply that does not exist), a time
limit, transient errors (database, broker) that outlast the retries, or a message that was delivered
``MAX_DELIVERIES`` times without finishing because its worker died each time. ``social-care status``
lists them.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from celery import Celery, Task
from celery.exceptions import Retry, SoftTimeLimitExceeded
from celery.signals import worker_process_init
from kombu.entity import Queue
from sqlalchemy.exc import DBAPIError, OperationalError

from .. import alerts, reports
from .. import followup as followups
from ..alerts import outbox as alerts_outbox
from ..app import build_app
from ..config import Autosend, load_settings
from ..errors import PoisonInput, RetriableError, SkippableError
from ..logging_setup import redact
from ..outbox import send_reply as send
from ..pipeline import draft_pending
from ..pipeline import poll_stream as drain
from . import QUEUES
from .claims import due_reply_ids
from .leases import held
from .tables import DeadLetter, TaskDelivery

if TYPE_CHECKING:
    from ..app import App
    from ..config import Settings

__all__ = ["celery", "configure", "worker_app", "MAX_DELIVERIES", "enqueue"]
log = logging.getLogger(__name__)

MAX_DELIVERIES = 3  # a message whose worker died this many times while running it is dead-lettered
MAX_RETRIES = 5  # transient errors (database, platform), with back-off, before a dead letter
POLL_LEASE_SECONDS = 20.0
JOB_LEASE_SECONDS = 30.0

celery = Celery("social_care", set_as_current=False)
ROUTES = {
    "social_care.poll_stream": "ingest",
    "social_care.evaluate_alerts": "ingest",
    "social_care.weekly_report": "ingest",
    "social_care.draft_batch": "ingest",
    "social_care.send_reply": "send",
    "social_care.outbox_sweep": "send",
    "social_care.followup": "send",
    "social_care.deliver_alerts": "alerts",
}

_app: App | None = None
_app_pid: int | None = None


def configure(settings: Settings) -> Celery:
    """Point the Celery app at ``SOCIAL_CARE_BROKER_URL`` with the project's delivery guarantees."""
    celery.conf.update(
        broker_url=settings.broker_url,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,  # a broker restart: keep reconnecting
        broker_transport_options={"visibility_timeout": settings.broker_visibility_timeout_seconds},
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue="ingest",
        task_queues=[Queue(q) for q in QUEUES],
        task_routes={name: {"queue": q} for name, q in ROUTES.items()},
        task_create_missing_queues=False,
        worker_hijack_root_logger=False,
        # a broker restart must not interrupt a task halfway through a database call: it runs to its end
        # (it is idempotent; an acknowledgement lost with the connection only means it may run again)
        worker_cancel_long_running_tasks_on_connection_loss=False,
        timezone="UTC",
        enable_utc=True,
    )
    return celery


def worker_app() -> App:
    """This worker process's App (built once per process: a forked child never shares a connection)."""
    global _app, _app_pid
    if _app is None or _app_pid != os.getpid():
        _app = build_app(load_settings(), migrate=False)
        _app_pid = os.getpid()
    return _app


@worker_process_init.connect
def _forked(**_: Any) -> None:
    global _app
    if _app is not None:  # inherited from the parent: its pool's connections belong to the parent
        _app.engine.dispose(close=False)
    _app = None


def _now() -> datetime:
    return datetime.now(UTC)


def _transient(exc: BaseException) -> bool:
    if isinstance(exc, RetriableError):
        return True
    if isinstance(exc, OperationalError):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


class CareTask(Task):
    """Late acknowledgement, bounded redelivery, retries for transient errors, a dead letter otherwise."""

    acks_late = True
    reject_on_worker_lost = True
    max_retries = MAX_RETRIES
    typing = False

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        task_id = self.request.id
        if task_id is None or getattr(self.request, "is_eager", False):  # called directly (tests, one-off)
            return self.run(*args, **kwargs)
        try:  # the database may be restarting: like any transient error, this is retried
            app = worker_app()
            deliveries = _delivered(app, task_id, self.name)
        except Exception as exc:  # noqa: BLE001 - classified: transient errors are retried, others raise
            if _transient(exc) and self.request.retries < self.max_retries:
                log.warning("task %s %s will be retried: %s", self.name, task_id, type(exc).__name__)
                raise self.retry(exc=exc, countdown=min(2 ** self.request.retries * 2, 60)) from None
            raise
        if deliveries > MAX_DELIVERIES:
            _dead_letter(app, self.name, task_id, args, deliveries,
                         f"started {deliveries - 1} times and the worker died each time (killed, out of "
                         "memory or past the hard time limit): given up")
            return None
        try:
            result = self.run(*args, **kwargs)
        except Retry:
            raise
        except SoftTimeLimitExceeded:
            _dead_letter(app, self.name, task_id, args, deliveries,
                         f"time limit: still running after {self.soft_time_limit} s")
            return None
        except Exception as exc:  # noqa: BLE001 - every failure is classified here, once
            reason = redact(f"{type(exc).__name__}: {exc}")[:1000]
            if _transient(exc) and self.request.retries < self.max_retries:
                _finished(app, task_id)
                log.warning("task %s %s will be retried: %s", self.name, task_id, reason)
                raise self.retry(exc=exc, countdown=min(2 ** self.request.retries * 2, 60)) from None
            why = "retries used up" if _transient(exc) else "cannot succeed"
            _dead_letter(app, self.name, task_id, args, deliveries, f"{why}: {reason}")
            return None
        try:
            _finished(app, task_id)
        except Exception as exc:  # noqa: BLE001 - the work is done; only its delivery count is left behind
            log.warning("task %s %s finished; its delivery count not cleared: %s", self.name, task_id,
                        type(exc).__name__)
        return result


def _delivered(app: App, task_id: str, name: str) -> int:
    with app.session() as s:
        row = s.get(TaskDelivery, task_id, with_for_update=True)
        if row is None:
            row = TaskDelivery(task_id=task_id, task=name, count=0, first_at=_now())
        row.count += 1
        s.add(row)
        return int(row.count)


def _finished(app: App, task_id: str) -> None:
    with app.session() as s:
        row = s.get(TaskDelivery, task_id)
        if row is not None:
            s.delete(row)


def _dead_letter(app: App, name: str, task_id: str | None, args: Sequence[object], deliveries: int,
                 reason: str) -> None:
    log.error("task %s %s dead-lettered: %s", name, task_id, reason)
    safe_args = [a if isinstance(a, (int, float, bool)) or a is None else redact(str(a))[:200] for a in args]
    with app.session() as s:
        s.add(DeadLetter(task=name, task_id=task_id, args=safe_args, reason=reason, deliveries=deliveries,
                         created_at=_now()))
        if task_id is not None:
            row = s.get(TaskDelivery, task_id)
            if row is not None:
                s.delete(row)


def enqueue(task: Any, *args: Any, expires: float | None = None, countdown: float | None = None) -> None:
    task.apply_async(args=args, expires=expires, countdown=countdown)


def _come_back(task: Any, again: bool, *, expires: float) -> int:
    """A one-at-a-time task found its lease held: come back once, a second later (the holder may have read
    its work just before what this task was woken for was committed); nothing done now."""
    if again:
        enqueue(task, False, countdown=1.0, expires=expires)
    return 0


# ---- the tasks -------------------------------------------------------------------------------------------
@celery.task(base=CareTask, bind=True, name="social_care.poll_stream", soft_time_limit=110, time_limit=120)
def poll_stream(self: Task, stream: str) -> dict[str, Any]:
    """Drain one stream from its cursor, scoring and drafting each batch (posts and cursor commit
    together), holding the stream's lease: at most one poller per stream, and a poller that lost its
    lease commits nothing more."""
    app = worker_app()
    connector = next((c for c in app.connectors if c.stream == stream), None)
    if connector is None:
        raise PoisonInput(f"no stream {stream!r} is configured (streams: "
                          f"{', '.join(c.stream for c in app.connectors) or 'none'})")
    with held(app.engine, f"poll:{stream}", ttl=POLL_LEASE_SECONDS) as lease:
        if not lease:
            return {"stream": stream, "outcome": "busy: another worker is polling it"}
        result = drain(replace(app, fence=lease.fence), connector)
    if result.flagged:  # new unhappy customers: ping Slack and (autosend) answer now, not at the next tick
        enqueue(evaluate_alerts, expires=60)
        if app.settings.autosend == Autosend.PLAYBOOK:
            enqueue(outbox_sweep, expires=60)
    return result.as_dict()


@celery.task(base=CareTask, bind=True, name="social_care.send_reply", soft_time_limit=75, time_limit=90)
def send_reply(self: Task, reply_id: Any) -> str:
    """Send one approved reply (or reconcile one left ``sending``), if this worker can claim it."""
    try:
        rid = int(reply_id)
    except (TypeError, ValueError):
        raise PoisonInput(f"reply id {reply_id!r} is not a number") from None
    try:
        return send(worker_app(), rid).status
    except SkippableError as exc:
        raise PoisonInput(str(exc)) from None


@celery.task(base=CareTask, bind=True, name="social_care.outbox_sweep", soft_time_limit=50, time_limit=60)
def outbox_sweep(self: Task) -> int:
    """Hand every due reply that no one has claimed to ``send_reply``."""
    ids = due_reply_ids(worker_app())
    for rid in ids:
        enqueue(send_reply, rid, expires=300)
    return len(ids)


@celery.task(base=CareTask, bind=True, name="social_care.evaluate_alerts", soft_time_limit=50, time_limit=60)
def evaluate_alerts(self: Task) -> int:
    """Create the Slack alerts that are due (one evaluator at a time), then have them delivered."""
    app = worker_app()
    with held(app.engine, "alerts:evaluate", ttl=JOB_LEASE_SECONDS) as lease:
        if not lease:
            return 0
        created = alerts.evaluate(app)
    if created:
        enqueue(deliver_alerts, expires=60)
    return created


@celery.task(base=CareTask, bind=True, name="social_care.deliver_alerts", soft_time_limit=50, time_limit=60)
def deliver_alerts(self: Task, again: bool = True) -> int:
    """Deliver what Slack may take now (one deliverer at a time: pacing and order hold across workers);
    when more is waiting for Slack's pacing, come back for it.

    Found busy, it comes back once a second later (``again``): the deliverer at work may have read the
    pending alerts just before the ones this task was woken for were committed."""
    app = worker_app()
    with held(app.engine, "alerts:slack", ttl=JOB_LEASE_SECONDS) as lease:
        if not lease:
            return _come_back(deliver_alerts, again, expires=60)
        sent = alerts.deliver(app)
        wait = alerts_outbox.next_send_in(app) if sent else None
    if wait is not None and wait <= 5:
        enqueue(deliver_alerts, countdown=max(wait, 0.2), expires=60)
    return sent


@celery.task(base=CareTask, bind=True, name="social_care.draft_batch", soft_time_limit=110, time_limit=120)
def draft_batch(self: Task, again: bool = True) -> int:
    """Score/draft one batch: the drafts of the flagged posts a large webhook delivery stored in bulk
    (``pipeline.draft_pending``; one drafter at a time), then, with autosend, the sweep that sends them.
    Found busy, it comes back once (the drafter at work may have missed the newest posts)."""
    app = worker_app()
    with held(app.engine, "drafts", ttl=JOB_LEASE_SECONDS) as lease:
        if not lease:
            return _come_back(draft_batch, again, expires=300)
        drafted = draft_pending(app)
    if drafted and app.settings.autosend == Autosend.PLAYBOOK:
        enqueue(outbox_sweep, expires=60)
    return drafted


@celery.task(base=CareTask, bind=True, name="social_care.followup", soft_time_limit=110, time_limit=120)
def followup(self: Task) -> dict[str, int]:
    """One pass of the follow-ups: each follow-up it makes is handed to ``send_reply`` (queue ``send``), where
    it is claimed like every reply; one the broker does not take stays approved for the outbox sweep."""
    app = worker_app()
    with held(app.engine, "followup", ttl=JOB_LEASE_SECONDS) as lease:
        if not lease:
            return {}
        return followups.run(app, send=lambda reply_id: enqueue(send_reply, reply_id, expires=300))


@celery.task(base=CareTask, bind=True, name="social_care.weekly_report", soft_time_limit=280, time_limit=300)
def weekly_report(self: Task) -> str | None:
    """Last full week's report, once (its Slack summary is deduplicated by week)."""
    app = worker_app()
    with held(app.engine, "report:weekly", ttl=JOB_LEASE_SECONDS) as lease:
        if not lease or not reports.report_due(app):
            return None
        week: str | None = reports.weekly_job(app)["week"]
        return week
