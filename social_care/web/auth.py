"""Team members, passwords (argon2id), server-side sessions with their CSRF token, sign-in throttling.

- ``add_user`` / ``set_password`` / ``set_active`` / ``authenticate``: users live in the ``users`` table;
  only argon2 hashes are stored. A new password or a disabled account ends every session of that user.
- Sessions live in ``web_sessions`` (``SessionStore``): the cookie holds a random 256-bit id and only
  its SHA-256 is stored. Signing in always makes a new id (the browser's previous session, if any, is
  ended); signing out ends it on the server, so a copied cookie is useless afterwards. A session ends
  after ``IDLE_TIMEOUT`` without a request and ``ABSOLUTE_TIMEOUT`` after sign-in. Sessions survive a
  restart; ``SOCIAL_CARE_SECRET_KEY`` is not needed for them. Cookies are HttpOnly, SameSite=Lax and
  Secure when ``SOCIAL_CARE_PUBLIC_URL`` is https.
- Sign-in is throttled (``locked_until``): ``ACCOUNT_FAILURES`` failures for one account or
  ``ADDRESS_FAILURES`` from one client address within ``THROTTLE_WINDOW`` lock it until the oldest of
  them leaves the window. Failures are stored and logged without the password.
- Forms carry the CSRF token as ``csrf_token``; JSON calls send it as ``X-CSRF-Token``. Scripts may
  instead use HTTP Basic on ``/api/`` (never challenged, so browsers never cache it: no CSRF risk).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete
from sqlmodel import col, select

from ..errors import SocialCareError
from ..models import as_utc
from ..store.tables import User
from .tables import LoginFailure, WebSession

if TYPE_CHECKING:
    from ..app import App

__all__ = [
    "CSRF_HEADER",
    "FLASH_COOKIE",
    "LOGIN_COOKIE",
    "SESSION_COOKIE",
    "AuthUser",
    "SessionStore",
    "add_user",
    "authenticate",
    "basic_credentials",
    "end_sessions",
    "find_user",
    "locked_until",
    "set_active",
    "set_password",
]
log = logging.getLogger(__name__)

SESSION_COOKIE = "sc_session"
LOGIN_COOKIE = "sc_login"  # double-submit CSRF token of the login form (no session yet)
CSRF_HEADER = "x-csrf-token"
IDLE_TIMEOUT = timedelta(hours=2)
ABSOLUTE_TIMEOUT = timedelta(hours=12)
TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often
THROTTLE_WINDOW = timedelta(minutes=15)
ACCOUNT_FAILURES = 5
ADDRESS_FAILURES = 20  # an office behind one address should not lock itself out with one typo each
FLASH_COOKIE = "sc_flash"  # a form's refusal, shown once on the page it redirects to
FLASH_MAX_AGE = 120
USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
_hasher = PasswordHasher()
# verified against when the user does not exist, so timing does not tell which names exist
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class AuthUser:
    username: str
    display_name: str
    csrf: str  # the session's CSRF token ("" for HTTP Basic callers, who need none)
    session_id: int | None = None  # None for HTTP Basic callers

    @property
    def initials(self) -> str:
        return "".join(w[0] for w in self.display_name.split()[:2]).upper() or self.username[:1].upper()


#: Actors the audit trail uses for the service itself; no team member may take these names.
RESERVED_NAMES = frozenset({"system", "autosend", "automatic"})


def _check_password(password: str) -> None:
    if len(password) < 8:
        raise SocialCareError("the password must have at least 8 characters")


def add_user(app: App, username: str, password: str, *, display_name: str | None = None) -> User:
    """Create a team member, or set a new password for an existing one (which ends their sessions)."""
    username = username.strip()
    if not username or len(username) > 64 or not set(username) <= USERNAME_CHARS:
        raise SocialCareError("user names are 1-64 letters, digits, '.', '_' or '-'")
    if username.lower() in RESERVED_NAMES:
        raise SocialCareError(f"{username!r} is reserved: the audit trail uses it for what the service does by itself")
    _check_password(password)
    with app.session() as s:
        user = s.exec(select(User).where(User.username == username)).first()
        existed = user is not None
        if user is None:
            user = User(username=username, password_hash="", created_at=app.now())
        user.password_hash = _hasher.hash(password)
        user.display_name = (display_name or "").strip() or user.display_name or username
        user.is_active = True
        s.add(user)
        s.flush()
        s.refresh(user)
    if existed:
        end_sessions(app, username, "password")
    return user


def find_user(app: App, username: str) -> User | None:
    with app.session() as s:
        return s.exec(select(User).where(User.username == username.strip())).first()


def _existing(s: Any, username: str) -> User:
    user = s.exec(select(User).where(User.username == username.strip())).first()
    if user is None:
        raise SocialCareError(f"no team member named {username.strip()!r} (social-care user add NAME)")
    return user  # type: ignore[no-any-return]


def set_password(app: App, username: str, password: str) -> int:
    """A new password for an existing team member; every session of theirs ends. Returns how many."""
    _check_password(password)
    with app.session() as s:
        user = _existing(s, username)
        user.password_hash = _hasher.hash(password)
        s.add(user)
        name = user.username
    return end_sessions(app, name, "password")


def set_active(app: App, username: str, active: bool) -> int:
    """Enable or disable a team member; disabling ends every session of theirs. Returns how many ended."""
    with app.session() as s:
        user = _existing(s, username)
        user.is_active = active
        s.add(user)
        name = user.username
    return 0 if active else end_sessions(app, name, "disabled")


def authenticate(app: App, username: str, password: str) -> User | None:
    """The active user with that name and password, else None (constant-ish time)."""
    with app.session() as s:
        user = s.exec(select(User).where(User.username == (username or "").strip())).first()
        if user is None or not user.is_active:
            _verify(_DUMMY_HASH, password or "")
            return None
        if not _verify(user.password_hash, password or ""):
            return None
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(password)
            s.add(user)
        return user


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    """``Authorization: Basic …`` → (user, password), else None."""
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        raw = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    user, sep, password = raw.partition(":")
    return (user, password) if sep else None


class SessionStore:
    """Server-side sessions: the cookie holds a random id, the ``web_sessions`` table its SHA-256.

    A session is valid while not revoked, seen within ``IDLE_TIMEOUT`` and younger than
    ``ABSOLUTE_TIMEOUT``; an expired one is marked ended the first time it is presented.
    """

    def __init__(self, app: App) -> None:
        self.app = app
        self.secure = app.settings.public_url.strip().lower().startswith("https://")
        # one-time messages need only be readable by this process for two minutes: a random key when
        # SOCIAL_CARE_SECRET_KEY is unset loses at most a message in flight on restart
        key = app.settings.secret_key.get_secret_value() if app.settings.secret_key else ""
        self._flash = URLSafeTimedSerializer(key or secrets.token_urlsafe(32), salt="social-care.flash")

    def start(self, username: str, *, replacing: str | None = None) -> tuple[str, str]:
        """A new session for ``username``: (cookie value, csrf token). The session the browser had
        before (``replacing``, e.g. a pre-login cookie) is ended: the new id is always fresh."""
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(24)
        now = self.app.now()
        with self.app.session() as s:
            if replacing:
                old = s.exec(select(WebSession).where(WebSession.token_hash == token_hash(replacing))).first()
                if old is not None and old.revoked_at is None:
                    old.revoked_at, old.revoked_reason = now, "new_sign_in"
                    s.add(old)
            # ended sessions are kept a week (who was signed in when), then dropped
            s.execute(delete(WebSession).where(col(WebSession.expires_at) < now - timedelta(days=7))
                      .execution_options(synchronize_session=False))
            s.add(WebSession(token_hash=token_hash(token), username=username, csrf=csrf, created_at=now,
                             last_seen_at=now, expires_at=now + ABSOLUTE_TIMEOUT))
        return token, csrf

    def user_of(self, cookie: str | None) -> AuthUser | None:
        """The signed-in user of a session cookie, else None (unknown, ended, expired or idle)."""
        if not cookie or len(cookie) > 256:
            return None
        now = self.app.now()
        with self.app.session() as s:
            ws = s.exec(select(WebSession).where(WebSession.token_hash == token_hash(cookie))).first()
            if ws is None or ws.revoked_at is not None:
                return None
            ended = None
            if now >= as_utc(ws.expires_at):
                ended = "expired"
            elif now - as_utc(ws.last_seen_at) >= IDLE_TIMEOUT:
                ended = "idle"
            user = s.exec(select(User).where(User.username == ws.username)).first()
            if ended is None and (user is None or not user.is_active):
                ended = "disabled"
            if ended is not None:
                ws.revoked_at, ws.revoked_reason = now, ended
                s.add(ws)
                return None
            assert user is not None
            if now - as_utc(ws.last_seen_at) >= TOUCH_EVERY:  # not a write on every request
                ws.last_seen_at = now
                s.add(ws)
            return AuthUser(user.username, user.display_name or user.username, ws.csrf, ws.id)

    def end(self, session_id: int | None, reason: str = "sign_out") -> None:
        if session_id is None:
            return
        with self.app.session() as s:
            ws = s.get(WebSession, session_id)
            if ws is not None and ws.revoked_at is None:
                ws.revoked_at, ws.revoked_reason = self.app.now(), reason
                s.add(ws)

    def flash(self, message: str) -> str:
        """A one-time message for the page a form redirects to (signed: only the server writes them)."""
        return self._flash.dumps(message)

    def read_flash(self, value: str | None) -> str | None:
        if not value:
            return None
        try:
            message = self._flash.loads(value, max_age=FLASH_MAX_AGE)
        except BadSignature:
            return None
        return message if isinstance(message, str) else None

    def cookie_kwargs(self) -> dict[str, Any]:
        return {"httponly": True, "samesite": "lax", "secure": self.secure, "path": "/"}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def end_sessions(app: App, username: str, reason: str) -> int:
    """End every open session of ``username`` (password change, disable, sign out everywhere)."""
    now = app.now()
    with app.session() as s:
        open_ = s.exec(
            select(WebSession).where(WebSession.username == username, col(WebSession.revoked_at).is_(None))
        ).all()
        for ws in open_:
            ws.revoked_at, ws.revoked_reason = now, reason
            s.add(ws)
    if open_:
        log.info("ended %d session(s) of user %r (%s)", len(open_), username, reason)
    return len(open_)


# ---- sign-in throttling --------------------------------------------------------------------------


def client_address(request_client: Any) -> str:
    """The client's address as the server sees it (uvicorn applies X-Forwarded-For only from
    ``FORWARDED_ALLOW_IPS``, 127.0.0.1 by default, so a local reverse proxy passes the real one)."""
    host = getattr(request_client, "host", None) or "unknown"
    return str(host)[:64]


def _account_key(username: str) -> str:
    return (username or "").strip().lower()[:64]


def locked_until(app: App, username: str, address: str) -> datetime | None:
    """When sign-in may be tried again for this account or from this address, or None if it may now.

    Locked once ``ACCOUNT_FAILURES`` failures for the account, or ``ADDRESS_FAILURES`` from the
    address, fall within ``THROTTLE_WINDOW``; it opens when the oldest of those leaves the window.
    """
    now = app.now()
    since = now - THROTTLE_WINDOW
    until: datetime | None = None
    with app.session() as s:
        for column, value, limit in (
            (LoginFailure.username, _account_key(username), ACCOUNT_FAILURES),
            (LoginFailure.address, address, ADDRESS_FAILURES),
        ):
            times = s.exec(
                select(LoginFailure.at).where(column == value, LoginFailure.at > since)
                .order_by(col(LoginFailure.at).desc()).limit(limit)
            ).all()
            if len(times) >= limit:
                opens = as_utc(times[-1]) + THROTTLE_WINDOW
                until = opens if until is None else max(until, opens)
    return until


def record_failure(app: App, username: str, address: str) -> None:
    now = app.now()
    with app.session() as s:
        s.execute(delete(LoginFailure).where(col(LoginFailure.at) < now - 2 * THROTTLE_WINDOW)
                  .execution_options(synchronize_session=False))
        s.add(LoginFailure(username=_account_key(username), address=address, at=now))


def clear_failures(app: App, username: str) -> None:
    """A successful sign-in forgets the account's failures (the address's still count)."""
    with app.session() as s:
        s.execute(delete(LoginFailure).where(col(LoginFailure.username) == _account_key(username))
                  .execution_options(synchronize_session=False))


def same_token(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))
