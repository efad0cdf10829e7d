"""The web-form webhook receiver: verify, store durably, answer. Nothing else.

`POST /webhooks/{source_name}` answers as the README's "Web-form webhooks" section promises:
200 stored (or already stored), 400 unreadable, 401 signature or replay window, 404 unknown
source, 408 body too slow, 413 too big, 415 content type, 503 cannot store (or the source's
secret is missing from the environment, so providers retry until it is fixed). Error bodies
never repeat anything the client sent.

It never opens the warehouse and never parses leads: `leadsync sync` drains the landing store.
Nothing a client sends is logged; log lines carry the source, the answer and the delivery id.
uvicorn's access log is off because Jotform puts its secret token in the query string.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import logging
import os
import socket
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Match, Route
from starlette.types import Receive, Scope, Send

from leadsync.ingestion.config import LeadsyncConfig, load_config
from leadsync.ingestion.source_types import WebhookSource
from leadsync.ingestion.webhooks.bodies import BodyLimits, UnreadableBody, content_type_accepted, decode_body
from leadsync.ingestion.webhooks.landing import (
    SEGMENT_MAX_AGE_SECONDS,
    LandingWriter,
    StorageError,
)
from leadsync.ingestion.webhooks.payloads import delivery_id
from leadsync.ingestion.webhooks.signatures import SECRET_HEADERS, SignatureError, SignedRequest, verifier_for

log = logging.getLogger("leadsync.webhooks")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8787
WEBHOOK_PREFIX = "/webhooks/"
WEBHOOK_PATH = WEBHOOK_PREFIX + "{source_name}"
GC_THRESHOLDS = (50_000, 20, 100)
SECRET_HEADER_WORDS = ("signature", "secret", "token", "auth")
SECRET_QUERY_KEYS = frozenset({"token", "secret", "key", "api_key", "apikey", "signature"})


class _TooLarge(Exception):
    pass


# Same rendering as Starlette's JSONResponse, with the encoder built once instead of per answer.
_JSON = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))


async def _send_json(send: Send, status: int, content: dict[str, Any]) -> None:
    """Answer with a JSON body: the same bytes and headers as a Starlette JSONResponse."""
    body = _JSON.encode(content).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-length", str(len(body)).encode("latin-1")),
                (b"content-type", b"application/json"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _answer(send: Send, status: int, message: str) -> None:
    await _send_json(send, status, {"status": "error", "message": message})


class BodyDeadlines:
    """Cuts off clients that send their body too slowly (answered 408).

    One reaper task checks every in-flight body read a few times a second: at thousands of
    requests per second a timer per request (`asyncio.timeout`) cost a tenth of the CPU.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._reading: dict[asyncio.Task[Any], float] = {}
        self._expired: set[asyncio.Task[Any]] = set()

    def begin(self) -> asyncio.Task[Any] | None:
        task = asyncio.current_task()
        if task is not None:
            self._reading[task] = time.monotonic()
        return task

    def end(self, task: asyncio.Task[Any] | None) -> None:
        self._reading.pop(task, None)  # type: ignore[arg-type]
        self._expired.discard(task)  # type: ignore[arg-type]

    def expired(self, task: asyncio.Task[Any] | None) -> bool:
        """True when the reaper cancelled this read; the cancellation is then taken back."""
        if task is None or task not in self._expired:
            return False
        task.uncancel()
        return True

    async def run(self) -> None:
        while True:
            await asyncio.sleep(min(0.25, self.seconds / 4))
            limit = time.monotonic() - self.seconds
            for task, started in list(self._reading.items()):
                if started < limit and task not in self._expired:
                    self._expired.add(task)
                    task.cancel()


def _secrets(source: WebhookSource) -> list[bytes] | None:
    """The source's secrets; [] when it is configured unsigned; None when an env var is missing."""
    names = source.secret_env_names
    values = [os.environ.get(n) for n in names]
    if any(not v for v in values):
        return None
    return [v.encode("utf-8") for v in values if v]


async def _read_body(receive: Receive, limit: int) -> bytes:
    """The whole body from the ASGI messages (as Starlette's `Request.stream`), at most `limit` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.request":
            chunk = message.get("body", b"")
            if chunk:
                size += len(chunk)
                if size > limit:
                    raise _TooLarge
                chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)
        elif message["type"] == "http.disconnect":
            raise ClientDisconnect()


def _public_url(request: Request) -> str:
    """The URL as the sender addressed it (HubSpot signs it); honours a TLS-terminating proxy."""
    url = request.url
    proto = request.headers.get("x-forwarded-proto")
    host = request.headers.get("x-forwarded-host")
    if proto or host:
        url = url.replace(scheme=proto or url.scheme, netloc=host or url.netloc)
    return str(url)


def _header_lookup(raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
    """Header name -> value, the first one when a name repeats (as Starlette's `Headers.get`).

    ASGI servers send names in lower case; values are latin-1 as on the wire.
    """
    return {k.decode("latin-1"): v.decode("latin-1") for k, v in reversed(raw)}


class _StoredHeaders:
    """Picks the headers worth keeping with a submission: never signatures, tokens or cookies.

    The decision per raw header name is made once per source and remembered (the same few names
    arrive on every request; the memo is bounded so arbitrary names cannot grow it forever).
    """

    MEMO_LIMIT = 4096

    def __init__(self, source: WebhookSource) -> None:
        self._generic = source.signature.header.lower()
        self._keep: dict[bytes, bool] = {}

    def _decide(self, raw_name: bytes) -> bool:
        name = raw_name.decode("latin-1").lower()
        keep = (
            name not in SECRET_HEADERS
            and name != self._generic
            and not any(word in name for word in SECRET_HEADER_WORDS)
        )
        if len(self._keep) < self.MEMO_LIMIT:
            self._keep[raw_name] = keep
        return keep

    def __call__(self, raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
        keep = self._keep
        return {
            k.decode("latin-1"): v.decode("latin-1")
            for k, v in raw
            if keep.get(k) or (k not in keep and self._decide(k))
        }


def _safe_query(query: str) -> str:
    return urlencode(
        [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k.lower() not in SECRET_QUERY_KEYS]
    )


class _ReceiverApp(Starlette):
    """Starlette (lifespan, /healthz, 404/405/redirects) around one hot route served as raw ASGI.

    `POST /webhooks/{source_name}` carries all the traffic. Starlette's middleware stack, router,
    Request/Headers and Response objects cost ~10 us of CPU per request (measured, on 2 cores),
    so that route skips them and talks ASGI directly, answering the same bytes; every other
    request (other methods on the route included, answered 405 as before) goes through Starlette.
    An unexpected exception reaches uvicorn, which answers 500 and logs it, as Starlette would.
    """

    def __init__(self, webhook: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._webhook = webhook
        self._hot_route = Route(WEBHOOK_PATH, _not_reached, methods=["POST"])
        self.router.routes.append(self._hot_route)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            # Starlette's public route matching (root_path removed, `{source_name}` one segment)
            match, child = self._hot_route.matches(scope)
            if match is Match.FULL:
                return await self._webhook(scope, receive, send, child["path_params"]["source_name"])
        await super().__call__(scope, receive, send)


async def _not_reached(request: Request) -> Response:
    """Registered so the router answers other methods on the webhook path with 405, as before."""
    raise AssertionError("POST /webhooks/{source_name} is served by _ReceiverApp")


def create_app(config: LeadsyncConfig, *, segment_max_age: float = SEGMENT_MAX_AGE_SECONDS) -> Starlette:
    """The ASGI app for every enabled webhook source in the config."""
    sources: dict[str, WebhookSource] = {
        s.name: s for s in config.sources_of_type("webhook") if isinstance(s, WebhookSource)
    }
    secrets = {name: _secrets(s) for name, s in sources.items()}
    verifiers = {name: verifier_for(s) for name, s in sources.items()}
    stored_headers = {name: _StoredHeaders(s) for name, s in sources.items()}
    settings = config.webhooks
    limits = BodyLimits.from_settings(settings)  # the drain decodes under the same limits
    writer = LandingWriter(config.landing_dir, segment_max_age=segment_max_age)
    deadlines = BodyDeadlines(settings.request_timeout_seconds)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        writer.open(list(sources))
        await writer.start_sealer()
        reaper = asyncio.get_running_loop().create_task(deadlines.run())
        for name, s in sources.items():
            if secrets[name] is None:
                log.warning(
                    "webhook source %s: environment variable(s) %s not set; answering 503 until they are",
                    name,
                    ", ".join(s.secret_env_names),
                )
            elif not secrets[name]:
                log.warning("webhook source %s has no secret_env: accepting unsigned requests", name)
        log.info(
            "webhook receiver storing into %s for %s", config.landing_dir, ", ".join(sources) or "no sources"
        )
        yield
        reaper.cancel()
        await writer.close()

    async def webhook(scope: Scope, receive: Receive, send: Send, name: str) -> None:
        source = sources.get(name)
        if source is None:
            return await _answer(
                send, 404, "no webhook source of that name is configured"
            )  # never echo the name
        raw_headers = list(scope["headers"])  # ASGI allows any iterable; it is read twice
        headers = _header_lookup(raw_headers)
        length = headers.get("content-length")
        if length and length.isdigit() and int(length) > settings.max_body_bytes:
            return await _answer(send, 413, f"body over {settings.max_body_bytes} bytes")
        content_type = headers.get("content-type")
        if not content_type_accepted(source.provider, content_type):
            return await _answer(
                send,
                415,
                f"{source.provider} webhooks must be sent as JSON"
                if source.provider != "jotform"
                else "Jotform webhooks must be form posts",
            )
        task = deadlines.begin()
        try:
            body = await _read_body(receive, settings.max_body_bytes)
        except _TooLarge:
            return await _answer(send, 413, f"body over {settings.max_body_bytes} bytes")
        except asyncio.CancelledError:
            if not deadlines.expired(task):
                raise
            log.info("webhook %s: 408 body not received within %ss", name, settings.request_timeout_seconds)
            return await _answer(send, 408, "request body too slow")
        finally:
            deadlines.end(task)
        keys = secrets[name]
        if keys is None:
            return await _answer(send, 503, "receiver is missing this source's secret; retry later")
        query = scope.get("query_string", b"").decode("latin-1")
        if keys:
            url = _public_url(Request(scope)) if source.provider == "hubspot" else ""  # only HubSpot signs it
            signed = SignedRequest(scope["method"], url, query, headers, body)
            try:
                verifiers[name](signed, keys, settings.replay_window_seconds)
            except SignatureError as err:
                log.info("webhook %s: 401 %s", name, err.reason)
                return await _answer(send, 401, err.reason)
        try:
            decoded = decode_body(content_type, body, limits)
        except UnreadableBody as err:  # fixed phrases: nothing of the body is echoed
            return await _answer(send, 400, str(err))
        did = delivery_id(source, headers, decoded, body)
        header = {
            "delivery_id": did,
            "source": name,
            "provider": source.provider,
            "received_ns": time.time_ns(),
            "content_type": content_type,
            "headers": stored_headers[name](raw_headers),
            "query": _safe_query(query) if query else "",
        }
        try:
            outcome = await writer.append(name, did, header, body)
        except StorageError as err:
            log.error("webhook %s: 503 %s", name, err)
            return await _answer(send, 503, "could not store the submission; retry later")
        # "conflict": the id was stored before with another body; this one is kept (and quarantined
        # by the drain with both hashes), so it is acknowledged like any stored submission.
        await _send_json(send, 200, {"status": outcome, "delivery_id": did})

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok", "sources": sorted(sources)})

    app = _ReceiverApp(
        webhook,
        routes=[Route("/healthz", healthz, methods=["GET"])],
        lifespan=lifespan,
    )
    app.state.writer = writer
    return app


def serve(
    config: LeadsyncConfig,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    fd: int | None = None,
    segment_max_age: float = SEGMENT_MAX_AGE_SECONDS,
) -> None:
    """Run the receiver with uvicorn in this process (one process: the landing lock allows one)."""
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    app = create_app(config, segment_max_age=segment_max_age)
    # Requests waiting for their group commit live through several young-generation collections,
    # which made the cyclic GC a third of the receiver's CPU (measured). Objects loaded so far are
    # never garbage: freeze them, and collect young objects less often (refcounting frees nearly
    # everything anyway; only cycles wait for the collector).
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    settings = uvicorn.Config(
        app,
        host=host,
        port=port,
        access_log=False,
        log_level="warning",
        timeout_keep_alive=30,
        timeout_graceful_shutdown=5,
    )
    if fd is None:
        uvicorn.Server(settings).run()
        return
    # uvicorn's own `fd=` treats the socket as AF_UNIX, so asyncio skips TCP_NODELAY and every
    # answer waits ~40 ms for a delayed ACK; a socket built from the fd keeps its real family.
    uvicorn.Server(settings).run(sockets=[socket.socket(fileno=fd)])


@contextlib.contextmanager
def serve_in_background(config: LeadsyncConfig, host: str = DEFAULT_HOST, port: int = 0) -> Iterator[str]:
    """Run the receiver on a thread for the demo; yields its base URL, stops it (gracefully) on exit."""
    import threading

    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((host, port))
    server = uvicorn.Server(uvicorn.Config(create_app(config), access_log=False, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError("the webhook receiver did not start (see the log above)")
        time.sleep(0.02)
    try:
        bound_host, bound_port = sock.getsockname()[:2]
        yield f"http://{bound_host}:{bound_port}"
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()


def main(argv: list[str] | None = None) -> None:
    """`python -m leadsync.ingestion.webhooks.receiver` (tests and benchmarks; users run `leadsync serve-webhooks`)."""
    parser = argparse.ArgumentParser(description="leadsync web-form webhook receiver")
    parser.add_argument("--config", default=None)
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--fd", type=int, default=None, help="serve on an inherited listening socket")
    parser.add_argument("--segment-max-age", type=float, default=SEGMENT_MAX_AGE_SECONDS)
    args = parser.parse_args(argv)
    serve(load_config(args.config), args.host, args.port, fd=args.fd, segment_max_age=args.segment_max_age)


if __name__ == "__main__":
    main()
