"""Feishu's request verification, before anything acts on an event or a card callback.

With an encrypt key (required for HTTP events, see settings) every request must carry
`X-Lark-Request-Timestamp`, `X-Lark-Request-Nonce` and `X-Lark-Signature` =
sha256(timestamp + nonce + encrypt_key + body); a wrong signature is forged, a timestamp more
than five minutes from now is stale (a replayed request). The body is then decrypted
(AES-256-CBC, the SDK's `AESCipher`) and its verification token compared with ours. The
url_verification challenge Feishu sends when the URL is saved is answered after the token check.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any

from lark_oapi.core.utils import AESCipher

MAX_AGE_SECONDS = 300  # as Slack: a request older (or newer) than this is a replay
SIGNATURE_HEADERS = ("x-lark-request-timestamp", "x-lark-request-nonce", "x-lark-signature")


class Refused(Exception):
    """The request is not Feishu's (or not fresh): answered 401 and nothing is done."""


@dataclass(frozen=True)
class Verifier:
    verification_token: str | None
    encrypt_key: str | None
    max_age_seconds: int = MAX_AGE_SECONDS

    def payload(self, body: bytes, headers: dict[str, str], *, now: float | None = None) -> dict[str, Any]:
        """The verified, decrypted payload of a request (raises `Refused`).

        An unsigned request is accepted only as a url_verification challenge with the right
        token (Feishu may send that one unsigned; answering it changes nothing)."""
        lower = {k.lower(): v for k, v in headers.items()}
        signed = all(lower.get(h) for h in SIGNATURE_HEADERS)
        if self.encrypt_key and signed:
            self._check_signature(body, lower, time.time() if now is None else now)
        payload = self._decrypt(body)
        self._check_token(payload)
        if self.encrypt_key and not signed and challenge(payload) is None:
            raise Refused("missing Feishu signature headers")
        return payload

    def _check_signature(self, body: bytes, lower: dict[str, str], now: float) -> None:
        timestamp, nonce, signature = (lower[h] for h in SIGNATURE_HEADERS)
        try:
            age = abs(now - int(timestamp))
        except ValueError:
            raise Refused("bad Feishu request timestamp") from None
        if age > self.max_age_seconds:
            raise Refused("stale Feishu request")
        assert self.encrypt_key is not None
        expected = signature_of(timestamp, nonce, self.encrypt_key, body)
        if not hmac.compare_digest(expected, signature):
            raise Refused("wrong Feishu signature")

    def _decrypt(self, body: bytes) -> dict[str, Any]:
        try:
            payload = json.loads(body or b"{}")
        except ValueError:
            raise Refused("not JSON") from None
        if not isinstance(payload, dict):
            raise Refused("not a JSON object")
        if "encrypt" not in payload:
            return payload
        if not self.encrypt_key:
            raise Refused("an encrypted request but no FEISHU_ENCRYPT_KEY")
        try:
            decrypted = json.loads(AESCipher(self.encrypt_key).decrypt_str(str(payload["encrypt"])))
        except Exception:
            raise Refused("cannot decrypt") from None
        if not isinstance(decrypted, dict):
            raise Refused("not a JSON object")
        return decrypted

    def _check_token(self, payload: dict[str, Any]) -> None:
        header = payload.get("header")
        token = header.get("token") if isinstance(header, dict) else payload.get("token")
        if not (self.verification_token and isinstance(token, str)
                and hmac.compare_digest(token.encode(), self.verification_token.encode())):
            raise Refused("wrong Feishu verification token")


def signature_of(timestamp: str, nonce: str, encrypt_key: str, body: bytes) -> str:
    return hashlib.sha256((timestamp + nonce + encrypt_key).encode() + body).hexdigest()


def challenge(payload: dict[str, Any]) -> dict[str, Any] | None:
    """The answer to a url_verification request (None for anything else)."""
    if payload.get("type") == "url_verification":
        return {"challenge": payload.get("challenge")}
    return None
