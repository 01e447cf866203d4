"""What the simulator saw: every platform request and every accepted write."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from ._util import Record


@dataclass
class RecordedRequest(Record):
    platform: str  # "x" | "facebook" | "slack" | "unknown"
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # Authorization value redacted to "<scheme> <redacted>"
    body: Any  # parsed JSON, form dict, raw text, or None
    status: int
    at: datetime

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["at"] = self.at.isoformat()
        return d


@dataclass
class RecordedWrite(Record):
    platform: str
    kind: str  # tweet_reply | tweet | dm | comment_reply | messenger_send | hide | delete | slack
    target: str  # tweet id, user id, comment/post id, PSID, webhook path, ...
    payload: Any  # what the client asked for (JSON/form fields)
    response: Any  # the JSON (or text) the simulator answered
    at: datetime

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["at"] = self.at.isoformat()
        return d


def redact_headers(headers: dict[str, str]) -> dict[str, str]:
    out = dict(headers)
    for name in list(out):
        if name.lower() == "authorization":
            scheme = out[name].split(" ", 1)[0] if out[name] else ""
            out[name] = f"{scheme} <redacted>".strip()
    return out
