"""Behaviour shared by the platform front-ends: fault responses and header decoration."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .faults import Fault, RateLimitWindow
from .http import Request, Response, body_response

if TYPE_CHECKING:
    from .core import Simulator

MALFORMED_BODY = b'{"data": [{"id": "1859000000000000002", "text": "@acme my ord'


class PlatformApi:
    platform = ""
    json_type = "application/json; charset=utf-8"

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim

    # ---- to implement -----------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        raise NotImplementedError

    def default_error_body(self, status: int) -> Any:
        raise NotImplementedError

    def rate_limited(self, req: Request, window: RateLimitWindow) -> Response:
        raise NotImplementedError

    def rate_limited_once(self, req: Request, fault: Fault) -> Response:
        """One rate-limited answer in this platform's shape (``reset_seconds`` None: no reset header)."""
        raise NotImplementedError

    def decorate(self, req: Request, resp: Response) -> Response:
        """Add the headers this platform puts on every response."""
        return resp

    # ---- shared -------------------------------------------------------------------------
    def stuck_page_body(self, req: Request, cursor: str) -> Any:
        """An empty page whose next cursor is ``cursor`` (the platform repeating itself)."""
        raise NotImplementedError

    def fault_response(self, req: Request, fault: Fault) -> Response:
        if fault.kind == "reset":
            return Response(0, reset=True)
        if fault.kind == "rate_limited":
            return self.rate_limited_once(req, fault)
        if fault.kind == "stuck_page":  # empty page, next cursor = the one just requested (or a first one)
            cursor = req.query.get("after") or req.query.get("pagination_token") or "STUCK0"
            resp = body_response(200, self.stuck_page_body(req, cursor), self.json_type)
        elif fault.kind == "malformed":
            resp = Response(200, MALFORMED_BODY, {"Content-Type": self.json_type})
        elif fault.kind == "timeout":  # only reached when the client waited out the stall
            resp = body_response(504, self.default_error_body(504), self.json_type)
        else:
            status = fault.status or 503
            body = self.default_error_body(status) if fault.body is None else fault.body
            resp = body_response(status, body, self.json_type)
            if fault.content_type:
                resp.headers["Content-Type"] = fault.content_type
        return self.decorate(req, resp)
