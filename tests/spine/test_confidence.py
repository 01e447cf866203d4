"""Autosend sends a category's own apology only when the category is confident; a plain question gets no
apology and waits for a person (issue 18, item 2: the three demo posts that got the wrong reply)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from social_care.models import Channel
from social_care.playbook import Playbook
from social_care.runner import run_once
from social_care.store.tables import Post, Reply, StatusEvent

from .helpers import Feeder


def _run(make_settings, clock, sim, channel, text, name):
    from social_care.app import build_app

    app = build_app(make_settings(SOCIAL_CARE_AUTOSEND="playbook"), clock=clock)
    Feeder(sim).add(channel, text, name=name)
    run_once(app)
    with app.session() as s:
        [post] = s.exec(select(Post)).all()
        [reply] = s.exec(select(Reply).where(Reply.post_id == post.id)).all()
        notes = [e.detail for e in s.exec(select(StatusEvent).where(StatusEvent.post_id == post.id))]
    app.engine.dispose()
    assert reply.idempotency_key == f"playbook:{post.id}"
    return post, reply, notes


def test_a_discount_code_that_does_not_work_is_not_a_damaged_item(make_settings, clock, sim):
    post, reply, _ = _run(make_settings, clock, sim, Channel.FACEBOOK_COMMENT,
                          "Il codice sconto non funziona 😒", "Roberto Gallo")
    assert post.flagged and post.category == "other"
    assert reply.template_id == "it.public.other" and reply.status == "sent"
    assert "danneggiato" not in reply.text


def test_someone_elses_address_on_an_account_is_not_a_lock_out(make_settings, clock, sim):
    post, reply, _ = _run(make_settings, clock, sim, Channel.MESSENGER,
                          "hi my account shows someone else's address and orders?? I'm worried", "Oscar Delgado")
    assert post.category == "account" and reply.template_id == "en.private.account"
    assert reply.status == "sent"
    assert "locked out" not in reply.text and "regain access" not in reply.text
    assert "password" in reply.text and "email" in reply.text  # asks for the email, warns off the password


def test_a_plain_question_gets_no_apology_and_waits_for_a_person(make_settings, clock, sim):
    post, reply, notes = _run(make_settings, clock, sim, Channel.MESSENGER,
                              "Hallo! Liefert ihr auch in die Schweiz? Und fällt da Zoll an?", "Lena Hartmann")
    assert reply.template_id == "de.private.question"
    assert reply.status == "draft" and not [w for w in sim.writes if w.kind == "messenger_send"]
    assert "leid" not in reply.text and "Entschuldig" not in reply.text
    assert "question, not a complaint" in post.reasons
    assert any("question, not a complaint" in (n or "") for n in notes)


def test_an_unsure_category_gets_the_general_reply_and_says_why(make_settings, clock, sim):
    # the money went from the (bank) account twice: refund and account both fit, neither is sure
    post, reply, notes = _run(make_settings, clock, sim, Channel.MESSENGER,
                              "I was charged twice and now I can't log in to my account, this is a mess",
                              "Sam Lee")
    assert reply.template_id == "en.private.other" and reply.status == "sent"
    assert "category unsure" in post.reasons
    assert any("category unsure: account or refund" in (n or "") or "category unsure: refund or account"
               in (n or "") for n in notes), notes


def test_a_confident_category_still_gets_its_own_apology(make_settings, clock, sim):
    post, reply, _ = _run(make_settings, clock, sim, Channel.X_DM,
                          "The blender arrived broken and the jug is cracked, terrible", "Jane Doe")
    assert post.category == "damaged" and reply.template_id == "en.private.damaged"
    assert reply.status == "sent" and "category unsure" not in post.reasons


LOCK_OUT = {
    "en": ("locked out", "get back in", "regain access"), "es": ("recuperar el acceso", "no puedas acceder"),
    "fr": ("retrouver l'accès", "accéder de nouveau"), "de": ("hineinzukommen", "wieder Zugriff"),
    "pt": ("recuperar o acesso",), "it": ("recuperare l'accesso",), "ar": ("استعادة",),
    "hi": ("दोबारा लॉग इन", "लॉग इन नहीं"), "fa": ("ورود دوباره", "بازیابی دسترسی"), "ko": ("로그인하지", "다시 로그인"),
}


@pytest.mark.parametrize("lang", sorted(LOCK_OUT))
@pytest.mark.parametrize("channel", [Channel.X_MENTION, Channel.MESSENGER], ids=["public", "private"])
def test_the_account_reply_does_not_assume_a_lock_out(lang, channel):
    drafts = Playbook.load(brand="Acme").drafts(channel=channel, lang=lang, category="account", name="Sam")
    assert len(drafts) >= 3
    assert not [(d.variant, p) for d in drafts for p in LOCK_OUT[lang] if p in d.text]


@pytest.mark.parametrize("lang", sorted(LOCK_OUT))
def test_every_language_has_a_question_reply_without_an_apology(lang):
    apology = ("sorry", "Sentimos", "désolés", "leid", "Sentimos", "dispiace", "نأسف", "खेद", "متأسف", "죄송")
    pb = Playbook.load(brand="Acme")
    for channel in (Channel.X_MENTION, Channel.MESSENGER):
        draft = pb.draft(channel=channel, lang=lang, category="question", name="Sam")
        assert draft.template_id.endswith(".question")
        assert not [w for w in apology if w in draft.text]
