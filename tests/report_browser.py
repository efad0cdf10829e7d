"""Headless Chromium driven over the DevTools protocol: open a page, collect what went wrong.

The DevTools protocol (rather than `--dump-dom` plus log scraping) gives exact signals: uncaught
exceptions, console errors, JavaScript dialogs (an `alert` means an XSS payload ran), every network
request the page made (the report must make none), and a screenshot after the charts are drawn.
"""

from __future__ import annotations

import base64
import itertools
import json
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from apt_packages import PackageUnavailable, ensure_installed
from websockets.sync.client import connect

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--remote-debugging-port=0",
)
LAPTOP = (1366, 768)


class ChromiumUnavailable(RuntimeError):
    """Chromium is missing and could not be installed."""


def ensure_chromium() -> str:
    """Path of Debian's `chromium`, installing it with apt-get (as root) on first use."""
    try:
        return ensure_installed(["chromium"], lambda: shutil.which("chromium"))
    except PackageUnavailable as err:
        raise ChromiumUnavailable(str(err)) from err


@dataclass
class PageResult:
    errors: list[str] = field(default_factory=list)  # uncaught exceptions, console/log errors
    dialogs: list[str] = field(default_factory=list)  # alert/confirm/prompt messages
    requests: list[str] = field(default_factory=list)  # every URL the page asked for
    charts: list[dict[str, Any]] = field(default_factory=list)  # per .chart: id, svg, rendered
    dom: str = ""
    scroll_width: int = 0
    text: str = ""
    values: dict[str, Any] = field(default_factory=dict)  # results of the `evaluate` expressions


class _Cdp:
    """A minimal DevTools client: numbered commands, events collected while waiting."""

    def __init__(self, ws: Any, result: PageResult) -> None:
        self.ws = ws
        self.ids = itertools.count(1)
        self.result = result

    def call(self, method: str, params: dict[str, Any] | None = None, timeout: float = 30) -> dict:
        msg_id = next(self.ids)
        self.ws.send(json.dumps({"id": msg_id, "method": method, "params": params or {}}))
        deadline = time.monotonic() + timeout
        while True:
            msg = json.loads(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            if msg.get("id") == msg_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self._event(msg)

    def pump(self, seconds: float) -> None:
        """Process events for a while (dialogs must be answered or the page stalls)."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                self._event(json.loads(self.ws.recv(timeout=left)))
            except TimeoutError:
                return

    def _event(self, msg: dict) -> None:
        method, params = msg.get("method"), msg.get("params", {})
        r = self.result
        if method == "Runtime.exceptionThrown":
            d = params["exceptionDetails"]
            r.errors.append(d.get("exception", {}).get("description") or d.get("text", "exception"))
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            r.errors.append(" ".join(str(a.get("value", a.get("description"))) for a in params["args"]))
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            r.errors.append(params["entry"].get("text", "log error"))
        elif method == "Network.requestWillBeSent":
            r.requests.append(params["request"]["url"])
        elif method == "Page.javascriptDialogOpening":
            r.dialogs.append(params.get("message", ""))
            self.ws.send(
                json.dumps(
                    {
                        "id": next(self.ids),
                        "method": "Page.handleJavaScriptDialog",
                        "params": {"accept": True},
                    }
                )
            )

    def evaluate(self, expression: str) -> Any:
        out = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        return out.get("result", {}).get("value")


_CHART_STATE = """JSON.stringify(Array.from(document.querySelectorAll('.chart')).map(c => ({
  id: c.id, svg: !!c.querySelector('svg'), marks: c.querySelectorAll('svg path, svg rect, svg text').length,
  rendered: c.getAttribute('data-rendered') === 'true'})))"""


def open_page(
    chromium: str,
    page: Path,
    screenshots: dict[str, Path],
    *,
    evaluate: dict[str, str] | None = None,
    timeout: float = 60,
) -> PageResult:
    """Load `page`, wait until every chart has rendered (or timeout), screenshot, then run the
    `evaluate` JavaScript expressions in order (name -> expression; results in `values`)."""
    result = PageResult()
    # Chromium helper processes may still write the profile while it shuts down: a cleanup
    # error must not fail the test (the OS temp folder is cleaned anyway).
    with tempfile.TemporaryDirectory(prefix="leadsync-chromium-", ignore_cleanup_errors=True) as profile:
        proc = subprocess.Popen(
            [
                chromium,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                f"--window-size={LAPTOP[0]},{LAPTOP[1]}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            url = _page_websocket(Path(profile), proc, timeout)
            with connect(url, max_size=None, open_timeout=20) as ws:
                cdp = _Cdp(ws, result)
                _drive(cdp, page, screenshots, result, timeout)
                for name, expression in (evaluate or {}).items():
                    result.values[name] = cdp.evaluate(expression)
                cdp.pump(0.2)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    return result


def _page_websocket(profile: Path, proc: subprocess.Popen, timeout: float) -> str:
    port_file = profile / "DevToolsActivePort"
    deadline = time.monotonic() + timeout
    while not port_file.exists() or not port_file.read_text().strip():
        if proc.poll() is not None:
            raise RuntimeError(f"chromium exited with {proc.returncode} before DevTools started")
        if time.monotonic() > deadline:
            raise TimeoutError("chromium did not open its DevTools port")
        time.sleep(0.1)
    port = int(port_file.read_text().split()[0])
    while True:
        targets = requests.get(f"http://127.0.0.1:{port}/json/list", timeout=10).json()
        pages = [t for t in targets if t.get("type") == "page"]
        if pages:
            return pages[0]["webSocketDebuggerUrl"]
        if time.monotonic() > deadline:
            raise TimeoutError("chromium opened no page")
        time.sleep(0.1)


def _drive(cdp: _Cdp, page: Path, screenshots: dict[str, Path], result: PageResult, timeout: float) -> None:
    for domain in ("Runtime", "Log", "Page", "Network"):
        cdp.call(f"{domain}.enable")
    cdp.call(
        "Emulation.setDeviceMetricsOverride",
        {"width": LAPTOP[0], "height": LAPTOP[1], "deviceScaleFactor": 1, "mobile": False},
    )
    cdp.call("Page.navigate", {"url": page.resolve().as_uri()})
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        cdp.pump(0.3)
        state = json.loads(cdp.evaluate(_CHART_STATE) or "[]")
        if state and all(c["rendered"] for c in state) and cdp.evaluate("document.readyState") == "complete":
            break
    cdp.pump(0.5)  # late errors (a chart failing after first paint)
    result.charts = json.loads(cdp.evaluate(_CHART_STATE) or "[]")
    result.dom = cdp.evaluate("document.documentElement.outerHTML") or ""
    result.text = cdp.evaluate("document.body.innerText") or ""
    result.scroll_width = int(cdp.evaluate("document.documentElement.scrollWidth") or 0)
    for kind, path in screenshots.items():
        params: dict[str, Any] = {"format": "png"}
        if kind == "full":
            height = int(cdp.evaluate("document.documentElement.scrollHeight") or LAPTOP[1])
            params.update(
                captureBeyondViewport=True,
                clip={"x": 0, "y": 0, "width": LAPTOP[0], "height": height, "scale": 1},
            )
        shot = cdp.call("Page.captureScreenshot", params, timeout=60)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))
