"""Team members, passwords (argon2id) and the signed session cookie with its CSRF token.

- ``add_user`` / ``authenticate``: users live in the ``users`` table; only argon2 hashes are stored.
- The session cookie holds ``{"u": username, "c": csrf token}`` signed (and timestamped) with
  itsdangerous using ``SOCIAL_CARE_SECRET_KEY``; when that is unset a random key is generated per
  process (sessions then end on restart) and a warning is logged. Cookies are HttpOnly, SameSite=Lax
  and Secure when ``SOCIAL_CARE_PUBLIC_URL`` is https.
- Forms carry the CSRF token as ``csrf_token``; JSON calls send it as ``X-CSRF-Token``. Scripts may
  instead use HTTP Basic on ``/api/`` (never challenged, so browsers never cache it: no CSRF risk).
"""

from __future__ import annotations

import base64
import hmac
import logging
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlmodel import select

from ..errors import SocialCareError
from ..store.tables import User

if TYPE_CHECKING:
    from ..app import App
    from ..config import Settings

__all__ = [
    "CSRF_HEADER",
    "FLASH_COOKIE",
    "LOGIN_COOKIE",
    "SESSION_COOKIE",
    "AuthUser",
    "SessionSigner",
    "add_user",
    "authenticate",
    "basic_credentials",
]
log = logging.getLogger(__name__)

SESSION_COOKIE = "sc_session"
LOGIN_COOKIE = "sc_login"  # double-submit CSRF token of the login form (no session yet)
CSRF_HEADER = "x-csrf-token"
SESSION_MAX_AGE = 12 * 3600
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

    @property
    def initials(self) -> str:
        return "".join(w[0] for w in self.display_name.split()[:2]).upper() or self.username[:1].upper()


#: Actors the audit trail uses for the service itself; no team member may take these names.
RESERVED_NAMES = frozenset({"system", "autosend", "automatic"})


def add_user(app: App, username: str, password: str, *, display_name: str | None = None) -> User:
    """Create a team member, or set a new password for an existing one."""
    username = username.strip()
    if not username or len(username) > 64 or not set(username) <= USERNAME_CHARS:
        raise SocialCareError("user names are 1-64 letters, digits, '.', '_' or '-'")
    if username.lower() in RESERVED_NAMES:
        raise SocialCareError(f"{username!r} is reserved: the audit trail uses it for what the service does by itself")
    if len(password) < 8:
        raise SocialCareError("the password must have at least 8 characters")
    with app.session() as s:
        user = s.exec(select(User).where(User.username == username)).first()
        if user is None:
            user = User(username=username, password_hash="", created_at=app.now())
        user.password_hash = _hasher.hash(password)
        user.display_name = (display_name or "").strip() or user.display_name or username
        user.is_active = True
        s.add(user)
        s.flush()
        s.refresh(user)
        return user


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


class SessionSigner:
    """Signs and reads the session cookie; owns the CSRF token of each session."""

    def __init__(self, settings: Settings) -> None:
        key = settings.secret_key.get_secret_value() if settings.secret_key else ""
        if not key:
            key = secrets.token_urlsafe(32)
            log.warning(
                "SOCIAL_CARE_SECRET_KEY is not set: using a random key for this process "
                "(everyone is signed out when it restarts)"
            )
        self._serializer = URLSafeTimedSerializer(key, salt="social-care.session")
        self._flash = URLSafeTimedSerializer(key, salt="social-care.flash")
        self.secure = settings.public_url.startswith("https://")

    def dumps(self, username: str) -> tuple[str, str]:
        """A new session for ``username``: (cookie value, csrf token)."""
        csrf = secrets.token_urlsafe(24)
        return self._serializer.dumps({"u": username, "c": csrf}), csrf

    def loads(self, value: str | None) -> dict[str, Any] | None:
        if not value:
            return None
        try:
            data = self._serializer.loads(value, max_age=SESSION_MAX_AGE)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("u"), str) or not isinstance(data.get("c"), str):
            return None
        return data

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


def same_token(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))
