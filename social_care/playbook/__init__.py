"""The acknowledge → apologize → resolve playbook: templates a social team can edit, rendered per
channel and language with the customer's name, always within the channel's length limit."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

from social_care.errors import ConfigError
from social_care.models import CATEGORIES, Channel

__all__ = ["Playbook", "Draft", "CheckResult", "check_reply", "check_templates", "pick", "with_reference",
           "DEFAULT_TEMPLATES"]

DEFAULT_TEMPLATES = "templates.json"
# "question": the reply to a plain question (no apology: a question is not a complaint); optional, a
# language without one falls back to "other" and the pipeline leaves the draft for a person.
TEMPLATE_KEYS = CATEGORIES + ("question",)
# template sections: public replies, private messages, and public replies to a customer who named the brand
# without addressing it (x.search): no "you told us", an offer to help. "unsolicited" may be left out of a
# file: such replies are then drafted from en's section, else from the language's public templates.
KINDS = ("public", "private", "unsolicited")
OPTIONAL_KINDS = ("unsolicited",)
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
    variant: int = 1  # which phrasing of the template (1-based, in the file's order)


def check_reply(text: str, channel: Channel) -> list[str]:
    """Problems with a reply text (empty when it may go out)."""
    problems = []
    if not text.strip():
        problems.append("the reply is empty")
    limit = channel.reply_limit
    if len(text) > limit:
        problems.append(f"the reply is {len(text)} characters; {channel.label} allows {limit}")
    match = _BANNED.search(text)
    if match:
        problems.append(f"the reply sounds defensive or rude ({match.group(0)!r})")
    return problems


def reference(post_id: int) -> str:
    """The case reference a public reply carries when every phrasing of it went out recently."""
    return f" (ref. #{post_id})"


def with_reference(text: str, post_id: int, limit: int) -> str:
    """``text`` with the case reference at the end, cut at a sentence (never mid-word) to leave room."""
    ref = reference(post_id)
    return _fit(text.rstrip(), limit - len(ref)).rstrip() + ref


def pick(options: list[Draft], avoid: Collection[str], *, channel: Channel, post_id: int | None) -> Draft:
    """The first option whose text the brand has not used recently (``avoid``). When every phrasing was
    used, a public reply gets the case reference (platforms refuse a brand's identical public posts) and a
    private one the first option (each goes to its own conversation)."""
    for option in options:
        if option.text not in avoid:
            return option
    first = options[0]
    if channel.is_public and post_id is not None:
        return replace(first, text=with_reference(first.text, post_id, channel.reply_limit))
    return first


def _variants(value: Any) -> list[str]:
    """A template's phrasings: a list of texts, or one text (the older single-phrasing format)."""
    return [value] if isinstance(value, str) else list(value)


def _rotated(count: int, post_id: int | None) -> list[int]:
    """Variant indexes in the order a post tries them: rotated by the post id, so same-day replies differ
    even before any history exists, and the same post always gets the same order."""
    start = (post_id or 0) % count
    return [(start + i) % count for i in range(count)]


def _normal(text: str) -> str:
    return " ".join(text.casefold().split())


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
        data, source = _read(path)
        return cls(data, brand=brand, source=source)

    @property
    def languages(self) -> list[str]:
        return sorted(k for k in self.templates if not k.startswith("_"))

    def validate(self) -> list[str]:
        """Every problem in the templates: each phrasing of each template is checked on its own."""
        problems: list[str] = []
        for lang in self.languages:
            section = self.templates[lang]
            for kind in KINDS:
                texts = section.get(kind) if isinstance(section, dict) else None
                if texts is None and kind in OPTIONAL_KINDS:
                    continue  # drafted from en's, else this language's public templates
                if not isinstance(texts, dict) or "other" not in texts:
                    problems.append(f"{lang}.{kind} needs at least an `other` template")
                    continue
                channels = [c for c in Channel if c.template_kind == kind]
                for category, value in texts.items():
                    where = f"{lang}.{kind}.{category}"
                    if category not in TEMPLATE_KEYS:
                        problems.append(f"{where}: unknown category (use one of {', '.join(TEMPLATE_KEYS)})")
                    problems.extend(self._check_variants(where, value, channels))
            followup = section.get("followup") if isinstance(section, dict) else None
            if followup is None:
                if lang == "en":
                    problems.append("en.followup: the follow-up message is missing")
                continue
            private = [c for c in Channel if not c.is_public]
            problems.extend(self._check_variants(f"{lang}.followup", followup, private))
        return problems

    def _check_variants(self, where: str, value: Any, channels: list[Channel]) -> list[str]:
        if isinstance(value, str):
            variants: list[Any] = [value]
        elif isinstance(value, list) and value:
            variants = value
        else:
            return [f"{where}: must be a text or a non-empty list of texts (its phrasings)"]
        problems: list[str] = []
        seen: dict[str, int] = {}
        for number, text in enumerate(variants, 1):
            label = where if len(variants) == 1 else f"{where}[{number}]"
            if not isinstance(text, str):
                problems.append(f"{label}: must be text")
                continue
            earlier = seen.setdefault(_normal(text), number)
            if earlier != number:
                problems.append(f"{label}: the same text as phrasing {earlier}; each phrasing must differ")
                continue
            try:
                sample = text.format(name="X" * _NAME_MAX, brand=self.brand)
            except (KeyError, IndexError, ValueError, AttributeError, TypeError) as exc:
                problems.append(f"{label}: bad placeholder {exc} (use {{name}} and {{brand}})")
                continue
            try:  # the same reply to a customer whose display name is not a usable name
                nameless = _fill(text, name=None, brand=self.brand)
            except (KeyError, IndexError, ValueError, AttributeError, TypeError):
                problems.append(f"{label}: write the name as a plain {{name}} (no !r, :format, "
                                ".attribute or [index]), so that a reply to a customer without a usable name "
                                "can leave it out")
                continue
            for channel in channels:
                found = check_reply(sample, channel)
                problems.extend(f"{label}: {p}" for p in found)
                problems.extend(f"{label} (without a name): {p}" for p in check_reply(nameless, channel)
                                if p not in found)
        return list(dict.fromkeys(problems))  # a problem on two channels of the same limit is listed once

    def variant_counts(self) -> dict[str, int]:
        """How many phrasings each template has, by template id (for `playbook check`)."""
        counts: dict[str, int] = {}
        for lang in self.languages:
            section = self.templates[lang]
            for kind in KINDS:
                for category, value in (section.get(kind) or {}).items():
                    counts[f"{lang}.{kind}.{category}"] = len(_variants(value))
            if "followup" in section:
                counts[f"{lang}.followup"] = len(_variants(section["followup"]))
        return counts

    def _lang(self, lang: str | None, text: str | None, *, needs: str | None = None) -> str:
        lang = lang if lang in self.templates and not str(lang).startswith("_") else "en"
        if needs is not None and needs not in self.templates[lang]:
            return "en"
        if text is not None and not _writes_in_script_of(lang, text):
            return "en"
        return lang

    def followups(self, *, lang: str | None, name: str | None, text: str | None = None,
                  post_id: int | None = None) -> list[Draft]:
        """Every phrasing of the follow-up, in the order ``post_id`` tries them."""
        lang = self._lang(lang, text, needs="followup")
        variants = _variants(self.templates[lang]["followup"])
        return [
            Draft(text=_fit(_fill(variants[i], name=name, brand=self.brand), Channel.MESSENGER.reply_limit),
                  template_id=f"{lang}.followup", lang=lang, variant=i + 1)
            for i in _rotated(len(variants), post_id)
        ]

    def followup(self, *, lang: str | None, name: str | None, text: str | None = None,
                 post_id: int | None = None, avoid: Collection[str] = ()) -> Draft:
        """The "is everything fine now?" message after a resolved case (private channels only)."""
        options = self.followups(lang=lang, name=name, text=text, post_id=post_id)
        return pick(options, avoid, channel=Channel.MESSENGER, post_id=post_id)

    def drafts(self, *, channel: Channel, lang: str | None, category: str | None, name: str | None,
               text: str | None = None, post_id: int | None = None) -> list[Draft]:
        """Every phrasing of the playbook reply for a post, in the order ``post_id`` tries them."""
        lang = self._lang(lang, text)
        kind = channel.template_kind
        if kind not in self.templates[lang]:  # an optional section this language lacks
            lang = "en" if kind in self.templates["en"] else lang
            kind = kind if kind in self.templates[lang] else "public"
        texts = self.templates[lang][kind]
        key = category if category in texts else "other"
        variants = _variants(texts[key])
        return [
            Draft(text=_fit(_fill(variants[i], name=name, brand=self.brand), channel.reply_limit),
                  template_id=f"{lang}.{kind}.{key}", lang=lang, variant=i + 1)
            for i in _rotated(len(variants), post_id)
        ]

    def draft(self, *, channel: Channel, lang: str | None, category: str | None, name: str | None,
              text: str | None = None, post_id: int | None = None, avoid: Collection[str] = ()) -> Draft:
        """The playbook reply for a flagged post, in the customer's language when we have it.

        A language whose script the customer did not write in (romanised Hindi, say) gets English. Of the
        template's phrasings, the first (rotated by ``post_id``) whose text is not in ``avoid`` (the brand's
        recent replies on the channel) is chosen.
        """
        options = self.drafts(channel=channel, lang=lang, category=category, name=name, text=text, post_id=post_id)
        return pick(options, avoid, channel=channel, post_id=post_id)


MIN_VARIANTS = 3  # fewer phrasings than this and a wave of same-named customers soon exhausts them


def _read(path: str | None) -> tuple[dict[str, Any], str]:
    """The templates JSON (``path``, or the built-in file) and where it came from."""
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
    return data, source


@dataclass(frozen=True, slots=True)
class CheckResult:
    source: str
    problems: list[str]  # the file cannot be used until these are fixed
    warnings: list[str]  # usable, but worth fixing (too few phrasings)
    languages: list[str]
    templates: int
    phrasings: int


def check_templates(path: str | None = None, *, brand: str = "our shop") -> CheckResult:
    """Every problem in a templates file (not just the first few), for `social-care playbook check`."""
    data, source = _read(path)
    book = Playbook.__new__(Playbook)
    book.templates, book.brand, book.source = data, brand, source
    problems = book.validate()
    counts = {} if problems else book.variant_counts()
    warnings = [f"{where}: {n} phrasing{'s' if n != 1 else ''}; X and Facebook refuse a brand's identical "
                f"posts, so give it at least {MIN_VARIANTS}" for where, n in counts.items() if n < MIN_VARIANTS]
    return CheckResult(source=source, problems=problems, warnings=warnings, languages=book.languages,
                       templates=len(counts), phrasings=sum(counts.values()))


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
