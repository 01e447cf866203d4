"""The life cycle has one owner: ``social_care.cases`` (its table of moves, and no other writer of a status)."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import col, select

from social_care import cases
from social_care.models import PostStatus
from social_care.store.engine import make_engine, session_scope
from social_care.store.tables import Post, StatusEvent, metadata

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("social_care", "connectors", "responders")
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)

N, F, AA, S, AC, R, SP = (PostStatus.NEW, PostStatus.FLAGGED, PostStatus.AWAITING_APPROVAL, PostStatus.SENT,
                          PostStatus.AWAITING_CUSTOMER, PostStatus.RESOLVED, PostStatus.SPAM)
# written out by hand, apart from cases.MOVES: a change to either is a decision this test makes visible
ALLOWED = {
    (None, N), (None, F),
    (N, F), (N, AA), (N, S), (N, R), (N, SP),
    (F, N), (F, AA), (F, S), (F, R), (F, SP),
    (AA, F), (AA, S), (AA, R), (AA, SP),
    (S, N), (S, F), (S, AA), (S, R), (S, SP),
    (AC, N), (AC, F), (AC, AA), (AC, S), (AC, R), (AC, SP),
    (R, N), (R, F), (R, AA), (R, S), (R, SP),
    (SP, N), (SP, F), (SP, S), (SP, R),
}
EVERY_PAIR = [(frm, to) for frm in (None, *PostStatus) for to in PostStatus if frm != to]


@pytest.mark.parametrize(("frm", "to"), EVERY_PAIR, ids=lambda v: str(v and v.value))
def test_every_move_is_allowed_or_forbidden_as_the_table_says(frm, to):
    assert cases.allowed(frm and frm.value, to.value) is ((frm, to) in ALLOWED)


def test_forbidden_moves_include_the_ones_that_matter():
    assert not cases.allowed("spam", "awaiting_approval")  # a troll gets no reply until reopened
    assert not cases.allowed("awaiting_approval", "new")  # unflagging is for untouched posts only
    assert not cases.allowed(None, "resolved")  # a post arrives new or flagged
    assert not any(cases.allowed(s.value, "awaiting_customer") for s in PostStatus)  # nothing writes it yet
    assert not cases.allowed("new", "archived")  # not a status


def _post(status: str) -> Post:
    return Post(channel="x.mention", external_id=f"e-{status}", author_id="1", customer_key="x:1", text="late",
                created_at=NOW, ingested_at=NOW, reply_channel="x.mention", reply_thread_id="e", status=status,
                flagged=status == "flagged", updated_at=NOW)


@pytest.fixture
def session(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'cases.db'}")
    metadata.create_all(engine)
    try:
        with session_scope(engine) as s:
            yield s
    finally:
        engine.dispose()


def test_transition_moves_bumps_and_logs_once(session):
    [post] = cases.store_new(session, [_post("flagged")])
    assert post.version == 1
    cases.transition(session, post, "resolved", actor="anna", now=NOW, action="resolved", note="done")
    assert (post.status, post.version, post.resolved_at) == ("resolved", 2, NOW)
    events = session.exec(select(StatusEvent).order_by(col(StatusEvent.id))).all()
    assert [(e.action, e.from_status, e.to_status, e.version) for e in events] == [
        ("flagged", None, "flagged", 1), ("resolved", "flagged", "resolved", 2)]


def test_a_forbidden_move_raises_and_changes_nothing(session):
    [post] = cases.store_new(session, [_post("new")])
    cases.transition(session, post, "spam", actor="anna", now=NOW, action="marked_spam")
    before = (post.status, post.version)
    count = len(session.exec(select(StatusEvent)).all())
    with pytest.raises(cases.ForbiddenMove, match="cannot move from spam to awaiting_approval"):
        cases.transition(session, post, "awaiting_approval", actor="anna", now=NOW, action="approved")
    assert (post.status, post.version) == before
    assert len(session.exec(select(StatusEvent)).all()) == count


def test_same_status_and_record_log_without_moving(session):
    [post] = cases.store_new(session, [_post("new")])
    ev = cases.transition(session, post, "new", actor="anna", now=NOW, action="edited")
    assert (ev.from_status, ev.to_status, post.version) == (None, None, 2)
    cases.record(session, post, "redrafted", actor="system", now=NOW, bump=False)
    assert post.version == 2


def test_a_post_cannot_arrive_resolved(session):
    with pytest.raises(cases.ForbiddenMove):
        cases.store_new(session, [_post("resolved")])


# ---- no other writer -------------------------------------------------------------------------------

# objects whose ``status``/``version`` is not a post's: replies, alerts, simulator records, exceptions, the
# Graph API version of a client
NOT_A_POST = {"reply", "alert", "head", "record", "self", "self._graph", "reply_row", "run"}


def _product_files() -> list[Path]:
    return [p for top in PRODUCT for p in sorted((ROOT / top).rglob("*.py")) if "migrations" not in p.parts]


def _writers(tree: ast.AST) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        flat: list[ast.expr] = []
        for t in targets:
            flat.extend(t.elts if isinstance(t, ast.Tuple) else [t])
        for t in flat:
            if isinstance(t, ast.Attribute) and t.attr in {"status", "version"}:
                owner = t.value.id if isinstance(t.value, ast.Name) else ast.unparse(t.value)
                if owner not in NOT_A_POST:
                    found.append((node.lineno, ast.unparse(t)))
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            kws = {k.arg for k in node.keywords}
            if name == "Post" and kws & {"version"}:
                found.append((node.lineno, "Post(version=…)"))
            if name == "values" and kws & {"status", "version"} and "Post" in ast.unparse(node.func):
                found.append((node.lineno, ".values(status/version=…)"))
            if name == "setattr" and len(node.args) > 1 and isinstance(node.args[1], ast.Constant) \
                    and node.args[1].value in {"status", "version"}:
                found.append((node.lineno, "setattr(…, status/version)"))
    return found


def test_no_module_but_cases_writes_a_post_status_or_version():
    offenders = []
    for path in _product_files():
        if path == ROOT / "social_care" / "cases.py":
            continue
        for line, what in _writers(ast.parse(path.read_text(), str(path))):
            offenders.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert offenders == [], "only social_care/cases.py may change a post's status or version:\n" + "\n".join(offenders)


def test_the_writer_check_catches_a_writer():
    sample = ("post.status = 'sent'\np.version += 1\nrow.status, x = 'a', 1\nreply.status = 'sent'\n"
              "s.execute(update(Post).values(status='sent'))\ns.execute(update(Alert).values(status='x'))\n")
    assert [w for _, w in _writers(ast.parse(sample))] == [
        "post.status", "p.version", "row.status", ".values(status/version=…)"]
    assert (ROOT / "social_care" / "cases.py").read_text().count("post.status = to") == 1


def test_a_new_post_gets_its_status_from_the_life_cycle():
    pipeline = (ROOT / "social_care" / "pipeline.py").read_text()
    assert "status=cases.initial_status(flagged)" in pipeline


# ---- one writer of the event log -------------------------------------------------------------------------

# store.repo's writers of posts and of the event log: only cases calls them (the arrivals, the moves, the notes)
REPO_WRITERS = {"record_event", "record_events", "insert_new_posts", "insert_new_rows"}
REPO = ROOT / "social_care" / "store" / "repo.py"
CASES = ROOT / "social_care" / "cases.py"


def _log_writers(tree: ast.AST, *, calls_repo: bool, writes_tables: bool) -> list[tuple[int, str]]:
    """Calls to repo's writers (unless ``calls_repo``), and direct writes of the event log or of new posts: a
    ``StatusEvent(…)``, or ``insert``/``table_of`` of ``StatusEvent`` or ``Post`` (unless ``writes_tables``)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        if name in REPO_WRITERS and not calls_repo:
            found.append((node.lineno, f"{name}(…)"))
        if writes_tables:
            continue
        if name == "StatusEvent":
            found.append((node.lineno, "StatusEvent(…)"))
        if name == "insert" or (name == "table_of" and any(
                isinstance(a, ast.Name) and a.id == "StatusEvent" for a in node.args)):
            for arg in node.args:
                names = {n.id for n in ast.walk(arg) if isinstance(n, ast.Name)}
                if names & {"StatusEvent", "Post"}:
                    found.append((node.lineno, f"{name}({ast.unparse(arg)})"))
    return sorted(found, key=lambda f: f[0])  # in the order of the source (ast.walk goes breadth first)


def test_only_cases_writes_the_event_log_and_new_posts_through_the_store():
    offenders = []
    for path in _product_files():
        tree = ast.parse(path.read_text(), str(path))
        found = _log_writers(tree, calls_repo=path in (CASES, REPO), writes_tables=path == REPO)
        offenders += [f"{path.relative_to(ROOT)}:{line}: {what}" for line, what in found]
    assert offenders == [], ("a post's arrival and its event log are written by social_care/cases.py through "
                             "store/repo.py alone:\n" + "\n".join(offenders))


def test_the_log_writer_check_catches_a_writer():
    sample = ("repo.record_events(s, events=[])\ninsert_new_rows(s, rows=[])\nStatusEvent(post_id=1)\n"
              "conn.execute(insert(table_of(StatusEvent)), rows)\nconn.execute(insert(table_of(Post)), rows)\n"
              "conn.execute(insert(table_of(Alert)), rows)\nt = table_of(Post).c\n")
    assert [w for _, w in _log_writers(ast.parse(sample), calls_repo=False, writes_tables=False)] == [
        "record_events(…)", "insert_new_rows(…)", "StatusEvent(…)", "insert(table_of(StatusEvent))",
        "table_of(StatusEvent)", "insert(table_of(Post))"]
    assert _log_writers(ast.parse(sample), calls_repo=True, writes_tables=True) == []


def test_a_bulk_arrival_is_logged_as_one_arrives(session):
    rows = [{**_post(status).model_dump(exclude={"id"}), "external_id": f"bulk-{status}", "scorer": "fast",
             "reasons": ["late delivery"] if status == "flagged" else []} for status in ("flagged", "new")]
    fresh = cases.store_new_rows(session, rows)
    again = cases.store_new_rows(session, rows)  # a redelivery: stored once
    assert [(p.external_id, p.flagged) for p in fresh] == [("bulk-flagged", True), ("bulk-new", False)]
    assert again == []
    posts = {p.external_id: p for p in session.exec(select(Post)).all()}
    assert {k: p.version for k, p in posts.items()} == {"bulk-flagged": 1, "bulk-new": 1}
    events = session.exec(select(StatusEvent).order_by(col(StatusEvent.id))).all()
    assert [(e.post_id, e.action, e.from_status, e.to_status, e.actor, e.version, e.detail) for e in events] == [
        (fresh[0].id, "flagged", None, "flagged", "system", 1, "by the scorer (fast): late delivery"),
        (fresh[1].id, "received", None, "new", "system", 1, None)]
    with pytest.raises(cases.ForbiddenMove):
        cases.store_new_rows(session, [{**rows[0], "external_id": "bulk-resolved", "status": "resolved"}])
    assert len(session.exec(select(Post)).all()) == 2
