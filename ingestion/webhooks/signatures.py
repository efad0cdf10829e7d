"""One verifier per provider, each exactly as the provider documents its scheme.

Every verifier works on the raw body bytes, compares in constant time (`hmac.compare_digest`)
and accepts a signature made with any of the source's secrets, so a secret can be rotated
without downtime (add the new one to `extra_secret_envs`, switch the provider, drop the old).
Verifiers raise `SignatureError`; they never echo the secret or the expected signature.

The `sign_*` helpers produce the same headers a provider would send; the demo client and the
tests use them, so signing and verifying are written once, side by side.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import re
import time
from collections.abc import Callable, Mapping
from typing import NamedTuple
from urllib.parse import parse_qs

from leadsync.ingestion.source_types import GenericSignature, WebhookSource


class SignatureError(Exception):
    """The request is not authentic. `stale` marks a timestamp outside the replay window."""

    def __init__(self, reason: str, *, stale: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.stale = stale


class SignedRequest(NamedTuple):
    """What a verifier may look at: nothing else of the request is trusted.

    (A NamedTuple, not a frozen dataclass: as immutable, and built several times cheaper, once
    per request.)
    """

    method: str
    url: str  # full URL as the sender addressed it (HubSpot signs it)
    query: str  # raw query string
    headers: Mapping[str, str]  # lower-case names
    body: bytes


Verifier = Callable[[SignedRequest, list[bytes], int], None]


def _hmac(key: bytes, msg: bytes, algorithm: str = "sha256") -> bytes:
    return hmac.new(key, msg, getattr(hashlib, algorithm)).digest()


def _b64(d: bytes) -> str:
    return base64.b64encode(d).decode("ascii")


def _any_match(candidates: list[str], given: str) -> bool:
    ok = False
    for c in candidates:  # no early exit: the time taken does not say which secret matched
        ok |= hmac.compare_digest(c.encode(), given.encode())
    return ok


def _secret_matches(secrets: list[bytes], given: str) -> bool:
    """A shared token (bearer, Jotform) against the secrets, on bytes, in constant time.

    Secrets are the UTF-8 of environment variables, so comparing them as bytes is the same as
    comparing their text, without decoding and re-encoding each one per request.
    """
    given_bytes = given.encode()
    ok = False
    for s in secrets:  # no early exit: the time taken does not say which secret matched
        ok |= hmac.compare_digest(s, given_bytes)
    return ok


def _header(req: SignedRequest, name: str) -> str:
    value = req.headers.get(name.lower())
    if not value:
        raise SignatureError(f"missing {name} header")
    return value.strip()


def _check_window(ts_seconds: float, window: int, now: float | None = None) -> None:
    now = time.time() if now is None else now
    if abs(now - ts_seconds) > window:
        raise SignatureError("timestamp outside the replay window", stale=True)


def _timestamp(req: SignedRequest, name: str, *, millis: bool) -> tuple[str, float]:
    raw = _header(req, name)
    try:
        value = float(raw)
    except ValueError:
        raise SignatureError(f"{name} is not a number") from None
    if not math.isfinite(value):
        # float() reads "NaN" and "inf", and every comparison with NaN is false: without this,
        # a signed `NaN` timestamp would never fall outside the replay window.
        raise SignatureError("timestamp outside the replay window", stale=True)
    return raw, value / 1000.0 if millis else value


# ---------------------------------------------------------------------------------------------
# Providers
# ---------------------------------------------------------------------------------------------
def verify_typeform(req: SignedRequest, secrets: list[bytes], window: int) -> None:
    """Typeform-Signature: sha256=<base64 HMAC-SHA256(secret, body)>."""
    given = _header(req, "Typeform-Signature")
    if not _any_match([sign_typeform(s, req.body)["Typeform-Signature"] for s in secrets], given):
        raise SignatureError("Typeform-Signature does not match")


def sign_typeform(secret: bytes, body: bytes) -> dict[str, str]:
    return {"Typeform-Signature": "sha256=" + _b64(_hmac(secret, body))}


def verify_tally(req: SignedRequest, secrets: list[bytes], window: int) -> None:
    """Tally-Signature: base64 HMAC-SHA256(secret, body)."""
    given = _header(req, "Tally-Signature")
    if not _any_match([sign_tally(s, req.body)["Tally-Signature"] for s in secrets], given):
        raise SignatureError("Tally-Signature does not match")


def sign_tally(secret: bytes, body: bytes) -> dict[str, str]:
    return {"Tally-Signature": _b64(_hmac(secret, body))}


def verify_hubspot(req: SignedRequest, secrets: list[bytes], window: int) -> None:
    """X-HubSpot-Signature-v3: base64 HMAC-SHA256(secret, method + uri + body + timestamp(ms))."""
    given = _header(req, "X-HubSpot-Signature-v3")
    raw_ts, ts = _timestamp(req, "X-HubSpot-Request-Timestamp", millis=True)
    _check_window(ts, window)
    expected = [
        sign_hubspot(s, req.method, req.url, req.body, raw_ts)["X-HubSpot-Signature-v3"] for s in secrets
    ]
    if not _any_match(expected, given):
        raise SignatureError("X-HubSpot-Signature-v3 does not match")


# HubSpot signs the URI with these percent-escapes decoded (its v3 validation guide lists them).
_HUBSPOT_DECODE = {
    "%3A": ":",
    "%2F": "/",
    "%3F": "?",
    "%40": "@",
    "%21": "!",
    "%24": "$",
    "%27": "'",
    "%28": "(",
    "%29": ")",
    "%2A": "*",
    "%2C": ",",
    "%3B": ";",
}
_HUBSPOT_ESCAPE = re.compile("|".join(_HUBSPOT_DECODE), re.IGNORECASE)


def hubspot_uri(url: str) -> str:
    return _HUBSPOT_ESCAPE.sub(lambda m: _HUBSPOT_DECODE[m.group(0).upper()], url)


def sign_hubspot(
    secret: bytes, method: str, url: str, body: bytes, timestamp_ms: str | None = None
) -> dict[str, str]:
    ts = timestamp_ms or str(int(time.time() * 1000))
    msg = method.upper().encode() + hubspot_uri(url).encode("utf-8") + body + ts.encode()
    return {"X-HubSpot-Signature-v3": _b64(_hmac(secret, msg)), "X-HubSpot-Request-Timestamp": ts}


def verify_webflow(req: SignedRequest, secrets: list[bytes], window: int) -> None:
    """x-webflow-signature: hex HMAC-SHA256(secret, "{x-webflow-timestamp}:{body}"), ms timestamp."""
    given = _header(req, "x-webflow-signature")
    raw_ts, ts = _timestamp(req, "x-webflow-timestamp", millis=True)
    _check_window(ts, window)
    expected = [sign_webflow(s, req.body, raw_ts)["x-webflow-signature"] for s in secrets]
    if not _any_match(expected, given.lower()):
        raise SignatureError("x-webflow-signature does not match")


def sign_webflow(secret: bytes, body: bytes, timestamp_ms: str | None = None) -> dict[str, str]:
    ts = timestamp_ms or str(int(time.time() * 1000))
    digest = hmac.new(secret, ts.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {"x-webflow-signature": digest, "x-webflow-timestamp": ts}


def verify_jotform(req: SignedRequest, secrets: list[bytes], window: int) -> None:
    """Jotform does not sign: a secret `?token=` in the webhook URL, compared in constant time."""
    tokens = parse_qs(req.query).get("token")
    if not tokens:
        raise SignatureError("missing ?token= in the URL")
    if not _secret_matches(secrets, tokens[0]):
        raise SignatureError("token does not match")


def standard_key(secret: bytes) -> bytes:
    """Standard Webhooks secrets are `whsec_<base64 key>`; a bare secret is used as is."""
    text = secret.decode("utf-8", "replace")
    if text.startswith("whsec_"):
        try:
            return base64.b64decode(text[len("whsec_") :])
        except ValueError:
            raise SignatureError("the configured whsec_ secret is not valid base64") from None
    return secret


def verify_standard(req: SignedRequest, secrets: list[bytes], window: int) -> None:
    """Standard Webhooks: HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}", "v1,<b64>" list."""
    msg_id = _header(req, "webhook-id")
    raw_ts, ts = _timestamp(req, "webhook-timestamp", millis=False)
    _check_window(ts, window)
    given = [
        part.split(",", 1)[1] for part in _header(req, "webhook-signature").split() if part.startswith("v1,")
    ]
    if not given:
        raise SignatureError("webhook-signature has no v1 signature")
    expected = [_b64(_hmac(standard_key(s), f"{msg_id}.{raw_ts}.".encode() + req.body)) for s in secrets]
    ok = False
    for g in given:
        ok |= _any_match(expected, g)
    if not ok:
        raise SignatureError("webhook-signature does not match")


def sign_standard(secret: bytes, msg_id: str, body: bytes, timestamp: str | None = None) -> dict[str, str]:
    ts = timestamp or str(int(time.time()))
    sig = _b64(_hmac(standard_key(secret), f"{msg_id}.{ts}.".encode() + body))
    return {"webhook-id": msg_id, "webhook-timestamp": ts, "webhook-signature": f"v1,{sig}"}


def generic_verifier(spec: GenericSignature) -> Verifier:
    """A configurable HMAC header (algorithm, hex/base64, prefix) or a shared bearer token."""

    def verify(req: SignedRequest, secrets: list[bytes], window: int) -> None:
        if spec.scheme == "bearer":
            auth = _header(req, "Authorization")
            scheme, _, token = auth.partition(" ")
            if scheme.lower() != "bearer" or not _secret_matches(secrets, token.strip()):
                raise SignatureError("bearer token does not match")
            return
        given = _header(req, spec.header)
        expected = [sign_generic(spec, s, req.body)[spec.header] for s in secrets]
        if not _any_match(expected, given):
            raise SignatureError(f"{spec.header} does not match")

    return verify


def sign_generic(spec: GenericSignature, secret: bytes, body: bytes) -> dict[str, str]:
    if spec.scheme == "bearer":
        return {"Authorization": f"Bearer {secret.decode()}"}
    digest = _hmac(secret, body, spec.algorithm)
    text = digest.hex() if spec.encoding == "hex" else _b64(digest)
    return {spec.header: spec.prefix + text}


_VERIFIERS: dict[str, Verifier] = {
    "typeform": verify_typeform,
    "tally": verify_tally,
    "hubspot": verify_hubspot,
    "webflow": verify_webflow,
    "jotform": verify_jotform,
    "standard": verify_standard,
}


def verifier_for(source: WebhookSource) -> Verifier:
    if source.provider == "generic":
        return generic_verifier(source.signature)
    return _VERIFIERS[source.provider]


# Header names that carry secrets or signatures: never stored, never logged.
SECRET_HEADERS = frozenset(
    {
        "authorization",
        "typeform-signature",
        "tally-signature",
        "x-hubspot-signature-v3",
        "x-hubspot-signature",
        "x-webflow-signature",
        "webhook-signature",
        "cookie",
        "x-api-key",
    }
)
