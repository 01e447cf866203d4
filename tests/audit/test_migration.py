"""Migration 0004 folds ``post_activity`` into the one event log and keeps every row's meaning."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from social_care.store import make_engine, upgrade

T0 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


def _at(minute: int) -> datetime:
    return T0.replace(minute=minute)


def test_post_activity_and_old_status_events_become_one_log(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine, "0002")
    with engine.begin() as c:
        c.execute(sa.text(
            "INSERT INTO posts (id, channel, external_id, author_id, customer_key, text, created_at, ingested_at, "
            "reply_channel, reply_thread_id, flagged, reasons, status, version, updated_at, followup_enabled, raw) "
            "VALUES (1, 'x.mention', 'e1', '42', 'x:42', 'late parcel', :t, :t, 'x.mention', 'e1', true, '[]', "
            "'resolved', 9, :t, true, '{}')"), {"t": T0})
        c.execute(sa.text(
            "INSERT INTO replies (id, post_id, kind, channel, target_thread_id, text, status, idempotency_key, "
            "author, attempts, created_at) VALUES (5, 1, 'manual', 'x.mention', 'e1', 'sorry', 'sent', 'k5', "
            "'jane', 1, :t)"), {"t": T0})
        events = [  # (from, to, actor, minute, note) as the old code wrote them
            (None, "flagged", "system", 0, None),
            ("flagged", "awaiting_approval", "system", 0, "playbook draft delivery_en"),
            ("awaiting_approval", "sent", "jane", 4, "reply 1700 sent on x.mention"),
            ("sent", "resolved", "bob", 9, None),
        ]
        for f, t, actor, minute, note in events:
            c.execute(sa.text("INSERT INTO status_events (post_id, from_status, to_status, actor, at, note) "
                              "VALUES (1, :f, :t, :a, :at, :n)"), {"f": f, "t": t, "a": actor, "at": _at(minute),
                                                                    "n": note})
        activity = [  # (actor, action, detail, version, minute)
            ("jane", "assign", "jane", 2, 1),
            ("jane", "edit_draft", None, 3, 2),
            ("jane", "correct:label", "negative → neutral", 4, 2),
            ("jane", "approve", "reply 5 approved (edited)", 5, 3),  # the post was already awaiting approval
            ("bob", "status:resolved", None, 9, 9),  # status changes are in status_events already
            ("bob", "snooze", "2026-11-16 12:00 UTC", 7, 5),
            ("bob", "snooze", "woken", 8, 6),
        ]
        for actor, action, detail, version, minute in activity:
            c.execute(sa.text("INSERT INTO post_activity (post_id, actor, action, detail, version, at) "
                              "VALUES (1, :a, :ac, :d, :v, :at)"),
                      {"a": actor, "ac": action, "d": detail, "v": version, "at": _at(minute)})
    upgrade(engine)
    with engine.connect() as c:
        rows = c.execute(sa.text(
            "SELECT action, actor, from_status, to_status, detail, version FROM status_events "
            "ORDER BY at, id")).all()
        tables = sa.inspect(c).get_table_names()
    engine.dispose()
    assert "post_activity" not in tables
    assert [tuple(r) for r in rows] == [
        ("flagged", "system", None, "flagged", None, None),
        ("drafted", "system", "flagged", "awaiting_approval", "playbook draft delivery_en", None),
        ("assigned", "jane", None, None, "jane", 2),
        ("edited", "jane", None, None, None, 3),
        ("corrected", "jane", None, None, "label: negative → neutral", 4),
        ("approved", "jane", None, None, "reply 5 approved (edited)", 5),
        ("sent", "jane", "awaiting_approval", "sent", "reply 1700 sent on x.mention", None),
        ("snoozed", "bob", None, None, "2026-11-16 12:00 UTC", 7),
        ("woken", "bob", None, None, None, 8),
        ("resolved", "bob", "sent", "resolved", None, None),
    ]


def test_downgrade_gives_post_activity_back(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    from alembic import command
    from alembic.config import Config

    from social_care.store.engine import MIGRATIONS_DIR

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0002")
    with engine.connect() as c:
        cols = {col["name"] for col in sa.inspect(c).get_columns("status_events")}
        tables = sa.inspect(c).get_table_names()
    assert "post_activity" in tables and "note" in cols and "action" not in cols
    upgrade(engine)  # and up again
    engine.dispose()
