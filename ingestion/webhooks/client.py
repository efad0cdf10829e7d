"""Send signed sample submissions through a real receiver, as each provider would.

The demo (`leadsync demo`) uses `sample_submissions` + `sign_and_send` to push one submission per
provider through `leadsync serve-webhooks`; tests and benchmarks use them to make many distinct,
correctly signed submissions. Signing reuses ingestion.webhooks.signatures, so what the client
sends is exactly what the verifiers check.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets as pysecrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from leadsync.ingestion.config import LeadsyncConfig
from leadsync.ingestion.source_types import WebhookSource
from leadsync.ingestion.webhooks.payloads import delivery_id
from leadsync.ingestion.webhooks.signatures import (
    sign_generic,
    sign_hubspot,
    sign_standard,
    sign_tally,
    sign_typeform,
    sign_webflow,
)

EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "examples" / "webhooks"
SAMPLE_PROVIDERS = ("typeform", "hubspot", "tally", "webflow", "jotform", "standard")


@dataclass(frozen=True)
class SampleSubmission:
    provider: str
    body: bytes
    content_type: str
    email: str | None = None


def encode_multipart(fields: dict[str, str]) -> tuple[bytes, str]:
    """A multipart/form-data body as Jotform sends it."""
    boundary = "----leadsync" + pysecrets.token_hex(12)
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def _template(provider: str, examples_dir: Path) -> tuple[str, dict[str, Any]]:
    text = (examples_dir / f"{provider}.json").read_text(encoding="utf-8")
    return text, json.loads(text)


def _find_email(value: Any) -> str | None:
    text = json.dumps(value)
    for token in text.replace('\\"', '"').replace('"', " ").split():
        if "@" in token and "." in token.split("@")[-1]:
            return token.strip(",}")
    return None


def sample_submissions(
    providers: tuple[str, ...] = SAMPLE_PROVIDERS,
    count: int = 1,
    *,
    examples_dir: Path = EXAMPLES_DIR,
    start: int = 0,
) -> list[SampleSubmission]:
    """`count` distinct submissions per provider from examples/webhooks/<provider>.json.

    Copy n > 0 gets its own delivery id and a plus-addressed email (ada+n@...), so each copy is a
    separate touch; copy 0 is the example as written.
    """
    out: list[SampleSubmission] = []
    for provider in providers:
        text, data = _template(provider, examples_dir)
        source = WebhookSource(name="sample", type="webhook", provider=provider)  # type: ignore[call-arg]
        base_id = None if provider == "standard" else delivery_id(source, {}, data, text.encode())
        for n in range(start, start + count):
            t = text
            if n:
                if base_id and not base_id.startswith("sha256:"):
                    t = t.replace(base_id, f"{base_id}{n:07d}")
                t = t.replace("@", f"+{n}@")
            obj = json.loads(t)
            email = _find_email(obj)
            if provider == "jotform":
                fields = {k: v for k, v in obj.items() if not k.startswith("_")}
                body, ctype = encode_multipart(fields)
            else:
                body, ctype = t.encode("utf-8"), "application/json"
            out.append(SampleSubmission(provider, body, ctype, email))
    return out


def signed_headers(
    source: WebhookSource, secret: str, body: bytes, url: str, msg_id: str | None = None
) -> tuple[str, dict[str, str]]:
    """(url to post to, headers) signed the way `source.provider` signs."""
    key = secret.encode("utf-8")
    p = source.provider
    if p == "typeform":
        return url, sign_typeform(key, body)
    if p == "tally":
        return url, sign_tally(key, body)
    if p == "hubspot":
        return url, sign_hubspot(key, "POST", url, body)
    if p == "webflow":
        return url, sign_webflow(key, body)
    if p == "jotform":
        return url + ("&" if "?" in url else "?") + "token=" + secret, {}
    if p == "standard":
        return url, sign_standard(key, msg_id or "msg_" + hashlib.sha256(body).hexdigest()[:24], body)
    return url, sign_generic(source.signature, key, body)


def sign_and_send(
    base_url: str,
    source: WebhookSource,
    secret: str,
    body: bytes,
    content_type: str,
    *,
    client: httpx.Client | None = None,
    msg_id: str | None = None,
    timeout: float = 10.0,
) -> httpx.Response:
    """POST one signed submission to `{base_url}/webhooks/{source.name}`."""
    url, headers = signed_headers(
        source, secret, body, f"{base_url.rstrip('/')}/webhooks/{source.name}", msg_id
    )
    headers = {**headers, "content-type": content_type}
    if client is not None:
        return client.post(url, content=body, headers=headers, timeout=timeout)
    return httpx.post(url, content=body, headers=headers, timeout=timeout)


def send_samples(config: LeadsyncConfig, base_url: str, count: int = 1) -> dict[str, list[int]]:
    """Send `count` signed sample submissions to every enabled webhook source (the demo's step).

    Each source gets samples of its own provider, signed with the secret its `secret_env` names.
    Returns the HTTP status codes per source name.
    """
    out: dict[str, list[int]] = {}
    with httpx.Client() as client:
        for src in config.sources_of_type("webhook"):
            if not isinstance(src, WebhookSource) or src.provider == "generic":
                continue
            secret = os.environ.get(src.secret_env or "", "")
            out[src.name] = [
                sign_and_send(base_url, src, secret, s.body, s.content_type, client=client).status_code
                for s in sample_submissions((src.provider,), count)
            ]
    return out
