"""The Reports page: the weeks a reader can open (this week so far, the last full week, every week the
weekly job made) and each week's report, the same HTML and charts as ``social-care report`` (``?tag=``
as its ``--tag``)."""

from __future__ import annotations

import re

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from .. import reports
from ..inbox.tags import normalize_tag
from ..reports.render import inline_style_hashes, to_html
from ..workflow import WorkflowError
from .auth import AuthUser
from .deps import SECURITY_HEADERS, core, page_user, templates_of

router = APIRouter(include_in_schema=False)

_STYLE_SRC = re.compile(r"(style-src [^;]*)")


def _csp_allowing(hashes: list[str]) -> str:
    """The app's Content-Security-Policy, with these inline ``<style>`` hashes added to style-src (the
    report is one self-contained file; nothing else inline is allowed)."""
    policy = SECURITY_HEADERS["Content-Security-Policy"]
    if not hashes:
        return policy
    if _STYLE_SRC.search(policy):
        return _STYLE_SRC.sub(lambda m: m.group(1) + " " + " ".join(hashes), policy, count=1)
    return policy.rstrip("; ") + "; style-src 'self' " + " ".join(hashes)


@router.get("/reports", response_class=HTMLResponse)
def reports_page(request: Request, user: AuthUser = Depends(page_user)) -> Response:
    app = core(request)
    ctx = {
        "user": user,
        "csrf": user.csrf,
        "weeks": reports.report_weeks(app),
        "settings": app.settings.reports,
    }
    return templates_of(request).TemplateResponse(request, "reports.html", ctx)


@router.get("/reports/{week}", response_class=HTMLResponse)
def report_page(request: Request, week: str, tag: str | None = None, user: AuthUser = Depends(page_user)) -> Response:
    """The week's report; ``?tag=vip``: of the posts carrying that tag (``social-care report --tag``)."""
    app = core(request)
    tag = (tag or "").strip() or None
    if tag is not None:
        try:
            tag = normalize_tag(tag)
        except WorkflowError as exc:
            raise HTTPException(400, str(exc)) from None
    try:
        data = reports.build_report(app, week, tag=tag)
    except ValueError as exc:
        raise HTTPException(404, f"no report for {week!r}: {exc}") from None
    html = to_html(data, back_url="/reports")
    return HTMLResponse(html, headers={"Content-Security-Policy": _csp_allowing(inline_style_hashes(html))})
