"""The acknowledge → apologize → resolve playbook: templates a social team can edit, rendered per
channel and language with the customer's name, always within the channel's length limit."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from social_care.errors import ConfigError
from social_care.models import Channel

__all__ = ["Playbook", "Draft", "check_reply", "DEFAULT_TEMPLATES"]

DEFAULT_TEMPLATES = "templates.json"
CATEGORIES = ("delivery", "refund", "damaged", "customer_service", "account", "other")
# "question": the reply to a plain question (no apology: a question is not a complaint); optional, a
# language without one falls back to "other" and the pipeline leaves the draft for a person.
TEMPLATE_KEYS = CATEGORIES + ("question",)
LIMITS = {channel: channel.reply_limit for channel in Channel}
# Words a care reply never uses: defending the company, blaming the customer, swearing.
_BANNED = re.compile(
    r"\b(not our fault|your fault|you should have|as stated in our policy|per our policy|calm down|"
    r"actually,? you|unfortunately you|damn|hell|shit|fuck\w*|crap|stupid|idiot)\b",
    re.I,
)
_NAME_MAX = 24


@dataclass(frozen=True, slots=True)
class Draft:
    text: str
    template_id: str  # e.g. "en.public.delivery"
    lang: str


def check_reply(text: str, channel: Channel) -> list[str]:
    """Problems with a reply text (empty when it may go out)."""
    problems = []
    if not text.strip():
        problems.append("the reply is empty")
    limit = LIMITS[channel]
    if len(text) > limit:
        problems.append(f"the reply is {len(text)} characters; {channel.label} allows {limit}")
    match = _BANNED.search(text)
    if match:
        problems.append(f"the reply sounds defensive or rude ({match.group(0)!r})")
    return problems


class Playbook:
    def __init__(self, templates: dict[str, Any], *, brand: str = "our shop", source: str = "built-in") -> None:
        self.templates = templates
        self.brand = brand
        self.source = source
        problems = self.validate()
        if problems:
            raise ConfigError(f"playbook templates ({source}): " + "; ".join(problems[:5]))

    @classmethod
    def load(cls, path: str | None = None, *, brand: str = "our shop") -> Playbook:
        if path:
            try:
                raw = Path(path).read_text(encoding="utf-8")
            except OSError as exc:
                raise ConfigError(f"cannot read playbook templates {path}: {exc.strerror}") from None
            source = path
        else:
            raw = resources.files(__package__).joinpath(DEFAULT_TEMPLATES).read_text(encoding="utf-8")
            source = "built-in"
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"playbook templates {source} are not valid JSON (line {exc.lineno}: {exc.msg})") from None
        if not isinstance(data, dict) or "en" not in data:
            raise ConfigError(f"playbook templates {source} need at least an `en` section")
        return cls(data, brand=brand, source=source)

    @property
    def languages(self) -> list[str]:
        return sorted(k for k in self.templates if not k.startswith("_"))

    def validate(self) -> list[str]:
        problems: list[str] = []
        for lang in self.languages:
            section = self.templates[lang]
            for kind in ("public", "private"):
                texts = section.get(kind) if isinstance(section, dict) else None
                if not isinstance(texts, dict) or "other" not in texts:
                    problems.append(f"{lang}.{kind} needs at least an `other` template")
                    continue
                for category, text in texts.items():
                    where = f"{lang}.{kind}.{category}"
                    if category not in TEMPLATE_KEYS:
                        problems.append(f"{where}: unknown category (use one of {', '.join(TEMPLATE_KEYS)})")
                    if not isinstance(text, str):
                        problems.append(f"{where}: must be text")
                        continue
                    try:
                        sample = text.format(name="X" * _NAME_MAX, brand=self.brand)
                    except (KeyError, IndexError, ValueError) as exc:
                        problems.append(f"{where}: bad placeholder {exc} (use {{name}} and {{brand}})")
                        continue
                    channel = Channel.X_MENTION if kind == "public" else Channel.MESSENGER
                    problems.extend(f"{where}: {p}" for p in check_reply(sample, channel))
            followup = section.get("followup") if isinstance(section, dict) else None
            if followup is None:
                if lang == "en":
                    problems.append("en.followup: the follow-up message is missing")
                continue
            try:
                sample = str(followup).format(name="X" * _NAME_MAX, brand=self.brand)
            except (KeyError, IndexError, ValueError) as exc:
                problems.append(f"{lang}.followup: bad placeholder {exc} (use {{name}} and {{brand}})")
                continue
            problems.extend(f"{lang}.followup: {p}" for p in check_reply(sample, Channel.MESSENGER))
        return problems

    def followup(self, *, lang: str | None, name: str | None, text: str | None = None) -> Draft:
        """The "is everything fine now?" message after a resolved case (private channels only)."""
        lang = lang if lang in self.templates and not str(lang).startswith("_") else "en"
        if "followup" not in self.templates[lang] or (text is not None and not _writes_in_script_of(lang, text)):
            lang = "en"
        body = _fill(self.templates[lang]["followup"], name=name, brand=self.brand)
        return Draft(text=_fit(body, LIMITS[Channel.MESSENGER]), template_id=f"{lang}.followup", lang=lang)

    def draft(self, *, channel: Channel, lang: str | None, category: str | None, name: str | None,
              text: str | None = None) -> Draft:
        """The playbook reply for a flagged post, in the customer's language when we have it.

        A language whose script the customer did not write in (romanised Hindi, say) gets English.
        category="question" picks the reply to a plain question (no apology), "other" where a language has none.
        """
        lang = lang if lang in self.templates and not str(lang).startswith("_") else "en"
        if text is not None and not _writes_in_script_of(lang, text):
            lang = "en"
        kind = "public" if channel.is_public else "private"
        texts = self.templates[lang][kind]
        key = category if category in texts else "other"
        text = _fill(texts[key], name=name, brand=self.brand)
        text = _fit(text, LIMITS[channel])
        return Draft(text=text, template_id=f"{lang}.{kind}.{key}", lang=lang)


# languages whose templates are in a non-Latin script, and that script's Unicode ranges
_SCRIPTS = {
    "ar": ((0x0600, 0x06FF), (0x0750, 0x077F), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)),
    "fa": ((0x0600, 0x06FF), (0x0750, 0x077F), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)),
    "hi": ((0x0900, 0x097F),),
    "ko": ((0xAC00, 0xD7AF), (0x1100, 0x11FF), (0x3130, 0x318F)),
}


def _writes_in_script_of(lang: str, text: str) -> bool:
    ranges = _SCRIPTS.get(lang)
    if ranges is None:
        return True
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return True
    inside = sum(1 for ch in letters if any(lo <= ord(ch) <= hi for lo, hi in ranges))
    return inside * 2 >= len(letters)


_NAME_WHOLE_MAX = 30  # a display name longer than this is a slogan or a bio, not a name
_NAME_PUNCT = frozenset("-'’.")
# the name slot with what belongs to it: a comma before it, an honorific after it (हिन्दी जी, فارسی عزیز, 한국어 님)
_NAME_SLOT = re.compile(r"[,،]?\s*\{name\}(?:\s*जी|\s*عزیز|님)?")


def usable_first_name(name: str | None) -> str | None:
    """The first name to greet a customer with, or None when the display name does not look like a
    person's name: only letters (any script), spaces, hyphens, apostrophes and periods, at most 30
    characters; no markup, URLs, @handles, hashtags, digits or emoji."""
    if not name:
        return None
    cleaned = re.sub(r"[\u200b-\u200f\u2060\ufeff]", "", name).strip()
    if not cleaned or len(cleaned) > _NAME_WHOLE_MAX or re.search(r"\.[^\s.]", cleaned):  # www.x.example
        return None
    for ch in cleaned:
        category = unicodedata.category(ch)
        if not (category[0] in "LM" or ch == " " or ch in _NAME_PUNCT):
            return None
    first = cleaned.split()[0].strip("".join(_NAME_PUNCT))
    if not any(ch.isalpha() for ch in first):
        return None
    return first[:_NAME_MAX]


def _fill(template: str, *, name: str | None, brand: str) -> str:
    """A template with the customer's first name, or, when the name is unusable, the same greeting
    without a name ("Hi, …", "Hola. …", "안녕하세요 …")."""
    first = usable_first_name(name)
    if first is not None:
        return template.format(name=first, brand=brand)
    return _NAME_SLOT.sub("", template).lstrip(" ,،").format(brand=brand)


def _fit(text: str, limit: int) -> str:
    """Cut at the last sentence end that fits; never mid-word."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "), cut.rfind("。"))
    if end > limit // 2:
        return cut[: end + 1]
    return cut[: cut.rfind(" ")].rstrip(",;:") + "…"
