"""The machinery every platform sandbox shares: a real HTTP server in a thread, a request log
and a fault plan.

Sandboxes stand in for the outside world (Meta, LinkedIn, Google), so this package imports
nothing from leadsync: a sandbox that borrowed the product's own parsing could never catch a
bug in it.
"""

from __future__ import annotations

import json
import secrets
import threading
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

# The platforms' published version schedules. They are data files kept beside each leadsync
# platform folder (cited there); the sandboxes read the files, never leadsync's code, so a sandbox
# serves exactly the versions the platform serves on a given day.
_SCHEDULES = Path(__file__).resolve().parents[1] / "ad_platforms"


@dataclass(frozen=True)
class PublishedVersions:
    """A platform's version schedule as a sandbox needs it: which versions answer on a day."""

    names: tuple[str, ...]  # oldest first
    released: dict[str, date | None]
    sunset: dict[str, date | None]

    @classmethod
    def of(cls, platform_dir: str) -> PublishedVersions:
        data = tomllib.loads((_SCHEDULES / platform_dir / "versions.toml").read_text(encoding="utf-8"))
        rows = data["versions"]
        return cls(
            tuple(r["name"] for r in rows),
            {r["name"]: r.get("released") for r in rows},
            {r["name"]: r.get("sunset") for r in rows},
        )

    def active(self, today: date) -> tuple[str, ...]:
        return tuple(
            n
            for n in self.names
            if (self.released[n] is None or self.released[n] <= today)
            and (self.sunset[n] is None or today < self.sunset[n])
        )

    def is_active(self, name: str, today: date) -> bool:
        return name in self.active(today)


@dataclass(frozen=True)
class LoggedRequest:
    """One request as the sandbox received it (what tests assert on)."""

    method: str
    path: str
    raw_query: str  # exactly as sent: Rest.li encoding is checked on this
    query: dict[str, str]  # decoded, last value wins
    headers: dict[str, str]
    body: bytes
    status: int = 0  # filled in once answered

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(self.body.decode("utf-8")).items()}


@dataclass
class Response:
    status: int
    body: Any = None  # JSON-serialisable, or bytes
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body).encode("utf-8")


@dataclass
class Fault:
    """An error the sandbox answers instead of the real response.

    ``skip`` data requests pass first; then the next ``times`` data requests get the error.
    """

    kind: str
    times: int = 1
    skip: int = 0
    options: dict[str, Any] = field(default_factory=dict)


class FaultPlan:
    """Faults queued by tests, consumed in order by data requests (token requests never fail)."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def next_fault(self) -> Fault | None:
        with self._lock:
            if not self._faults:
                return None
            head = self._faults[0]
            if head.skip > 0:
                head.skip -= 1
                return None
            head.times -= 1
            if head.times <= 0:
                self._faults.pop(0)
            return head

    @property
    def pending(self) -> int:
        return len(self._faults)


class Sandbox:
    """A platform sandbox: subclasses implement ``handle(request) -> Response``.

    Start one with ``start()``; ``url`` is where it listens; ``stop()`` shuts it down.
    """

    platform = "sandbox"

    def __init__(self) -> None:
        self.request_log: list[LoggedRequest] = []
        self.faults = FaultPlan()
        self.today: date | None = None  # tests pin the sandbox's calendar; None: the real date
        self.lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self, host: str = "127.0.0.1", port: int = 0) -> Sandbox:
        handler = _make_handler(self)
        self._server = ThreadingHTTPServer((host, port), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=f"{self.platform}-sandbox", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def host_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the sandbox is not running; call start() first")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def url(self) -> str:
        """The base_url a leadsync source points at (subclasses add the API prefix)."""
        return self.host_url

    # -- test helpers ---------------------------------------------------------------------------
    def inject_error(self, kind: str, *, times: int = 1, after: int = 0, **options: Any) -> None:
        """Answer the next ``times`` data requests (after ``after`` good ones) with ``kind``."""
        if kind not in self.fault_kinds:
            raise ValueError(f"{self.platform} sandbox knows faults {sorted(self.fault_kinds)}, not {kind!r}")
        self.faults.add(Fault(kind, times=times, skip=after, options=options))

    fault_kinds: frozenset[str] = frozenset()

    def current_date(self) -> date:
        return self.today or datetime.now(UTC).date()

    def requests_to(self, path_part: str) -> list[LoggedRequest]:
        return [r for r in self.request_log if path_part in r.path]

    def handle(self, request: LoggedRequest) -> Response:  # pragma: no cover - abstract
        raise NotImplementedError


class OAuthSandbox(Sandbox):
    """A sandbox behind an OAuth 2.0 refresh-token grant: only access tokens it issued work."""

    def __init__(self, client_id: str, client_secret: str, refresh_token: str) -> None:
        super().__init__()
        self.client_id = client_id
        self.client_secret = client_secret
        self.refresh_token = refresh_token
        self.valid_tokens: set[str] = set()

    def expire_token(self) -> None:
        """Access tokens issued so far stop working (a refresh gets a new one)."""
        with self.lock:
            self.valid_tokens.clear()

    def revoke_refresh_token(self) -> None:
        self.refresh_token = f"revoked-{secrets.token_hex(4)}"

    def has_valid_token(self, request: LoggedRequest) -> bool:
        return request.headers.get("authorization", "").removeprefix("Bearer ") in self.valid_tokens

    def refused_grant(self, request: LoggedRequest, *, bad_client: str, bad_grant: str) -> Response | None:
        """The token endpoint's error (with the platform's wording) for a wrong client or refresh
        token; None when the grant is good."""
        form = request.form()
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return Response(401, {"error": "invalid_client", "error_description": bad_client})
        if form.get("grant_type") != "refresh_token" or form.get("refresh_token") != self.refresh_token:
            return Response(400, {"error": "invalid_grant", "error_description": bad_grant})
        return None


def _make_handler(sandbox: Sandbox) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
            request = LoggedRequest(
                method=self.command,
                path=unquote(parts.path),
                raw_query=parts.query,
                query=query,
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
            )
            try:
                response = sandbox.handle(request)
            except Exception as exc:  # a sandbox bug must show up as a 500, not a hung client
                response = Response(500, {"error": f"sandbox bug: {exc!r}"})
            with sandbox.lock:
                sandbox.request_log.append(_with_status(request, response.status))
            payload = response.encoded()
            self.send_response(response.status)
            headers = {"Content-Type": "application/json; charset=UTF-8", **response.headers}
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = _serve
        do_POST = _serve

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet by design
            return

    return Handler


def _with_status(request: LoggedRequest, status: int) -> LoggedRequest:
    return LoggedRequest(**{**request.__dict__, "status": status})


Starter = Callable[..., Sandbox]
