"""Who is reading the board: a signed, HttpOnly session cookie given for the API token, and the
CSRF token every form and htmx request of that session carries.

The cookie holds the user id and an expiry, signed with a key derived from PLANBRIDGE_API_TOKEN
(changing the token signs everyone out). Without a token (loopback only, as for /api/) a key is
drawn when the app starts. The CSRF token is an HMAC of the cookie, so it needs no storage.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

COOKIE = "planbridge_board"
SESSION_SECONDS = 12 * 3600
CSRF_HEADER = "X-CSRF-Token"


@dataclass(frozen=True)
class BoardKeys:
    """The board's signing key and the API token the login form asks for (None: no token asked)."""

    key: bytes
    api_token: str | None

    @classmethod
    def for_token(cls, api_token: str | None) -> BoardKeys:
        if api_token:
            return cls(hashlib.sha256(b"planbridge-board\x00" + api_token.encode()).digest(), api_token)
        return cls(secrets.token_bytes(32), None)

    def token_accepted(self, given: str) -> bool:
        return self.api_token is None or hmac.compare_digest(given.encode(), self.api_token.encode())

    def _sign(self, text: str) -> str:
        return hmac.new(self.key, text.encode(), hashlib.sha256).hexdigest()

    def cookie_for(self, user_id: str, *, now: float | None = None) -> str:
        expires = int((now if now is not None else time.time()) + SESSION_SECONDS)
        body = f"{base64.urlsafe_b64encode(user_id.encode()).decode().rstrip('=')}.{expires}"
        return f"{body}.{self._sign(body)}"

    def user_of(self, cookie: str | None, *, now: float | None = None) -> str | None:
        """The user id a cookie was given to, or None when it is missing, forged or expired."""
        if not cookie or cookie.count(".") != 2:
            return None
        encoded, expires, signature = cookie.split(".")
        if not hmac.compare_digest(signature, self._sign(f"{encoded}.{expires}")):
            return None
        if not expires.isdigit() or int(expires) < (now if now is not None else time.time()):
            return None
        try:
            return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
        except (ValueError, UnicodeDecodeError):
            return None

    def csrf_for(self, cookie: str) -> str:
        return self._sign(f"csrf\x00{cookie}")

    def csrf_ok(self, cookie: str, given: str | None) -> bool:
        return bool(given) and hmac.compare_digest(self.csrf_for(cookie), given or "")
