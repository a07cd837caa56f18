"""Open a page in headless Chromium and report what a reader would meet: console errors, the
requests it made, and a screenshot.

Talks the Chrome DevTools Protocol over ``--remote-debugging-pipe`` (JSON messages ending in a
NUL byte on file descriptors 3 and 4), so it needs nothing beyond the standard library and a
``chromium`` binary (Debian's package; ``.ci/run`` installs it on CI).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["BrowserUnavailableError", "PageVisit", "chromium", "visit"]

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
)


class BrowserUnavailableError(RuntimeError):
    """No Chromium here, or it would not start (the message says why)."""


def chromium() -> str:
    """The Chromium binary, or BrowserUnavailableError."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise BrowserUnavailableError("no chromium on PATH (Debian: apt-get install chromium)")


@dataclass
class PageVisit:
    """What happened when the page was opened."""

    console: list[dict[str, Any]] = field(default_factory=list)
    """Console messages and log entries: ``{"level", "text", "source"}``."""
    exceptions: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    """Every URL the page asked for (the page itself first)."""
    screenshot: bytes = b""
    """PNG of the whole page."""
    viewport: bytes = b""
    """PNG of the first screen."""
    height: int = 0

    @property
    def errors(self) -> list[str]:
        found = [f"{m['source']}: {m['text']}" for m in self.console if m["level"] == "error"]
        return found + self.exceptions


class _Pipe:
    def __init__(self, write_fd: int, read_fd: int) -> None:
        self.write_fd, self.read_fd = write_fd, read_fd
        self.buffer = b""
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> dict[str, Any]:
        self.next_id += 1
        msg: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.write_fd, json.dumps(msg).encode() + b"\0")
        while True:
            reply = self.read()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise BrowserUnavailableError(f"{method}: {reply['error']}")
                return dict(reply.get("result", {}))
            self.events.append(reply)

    def read(self, timeout: float = 60.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while b"\0" not in self.buffer:
            if time.monotonic() > deadline:
                raise BrowserUnavailableError("chromium stopped answering")
            chunk = os.read(self.read_fd, 1 << 16)
            if not chunk:
                raise BrowserUnavailableError("chromium closed the pipe")
            self.buffer += chunk
        raw, _, self.buffer = self.buffer.partition(b"\0")
        return dict(json.loads(raw))

    def wait_for(self, method: str, timeout: float = 60.0) -> dict[str, Any]:
        for i, event in enumerate(self.events):
            if event.get("method") == method:
                return self.events.pop(i)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            event = self.read(timeout)
            if event.get("method") == method:
                return event
            self.events.append(event)
        raise BrowserUnavailableError(f"no {method} within {timeout:.0f} s")


def _high(fd: int) -> int:
    """A copy of ``fd`` numbered 10 or more, so it cannot collide with 3 and 4 in the child."""
    return fcntl.fcntl(fd, fcntl.F_DUPFD, 10)


def visit(page: Path, *, width: int = 1280, height: int = 900) -> PageVisit:
    """Open ``page`` (a local file) in headless Chromium and return what happened."""
    binary = chromium()
    profile = tempfile.mkdtemp(prefix="ivrscore-chromium-")
    to_chrome_r, to_chrome_w = os.pipe()
    from_chrome_r, from_chrome_w = os.pipe()
    child_in, child_out = _high(to_chrome_r), _high(from_chrome_w)
    for fd in (to_chrome_r, from_chrome_w):
        os.close(fd)

    def wire() -> None:  # in the child: the protocol's fds 3 (commands) and 4 (replies)
        os.dup2(child_in, 3)
        os.dup2(child_out, 4)

    log = Path(profile) / "stderr.log"
    log_file = log.open("wb")
    try:
        proc = subprocess.Popen(
            [
                binary,
                *FLAGS,
                f"--user-data-dir={profile}",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log_file,  # a file, not a pipe: chromium's chatter never blocks it
            preexec_fn=wire,  # only dup2 in the child: no locks taken
            # Python's own descriptors are not inherited (PEP 446); only the 3 and 4 that wire()
            # makes are, and close_fds would close them after it ran
            close_fds=False,
        )
    except OSError as exc:
        raise BrowserUnavailableError(f"cannot start {binary}: {exc}") from exc
    finally:
        os.close(child_in)
        os.close(child_out)
        log_file.close()
    pipe = _Pipe(to_chrome_w, from_chrome_r)
    visit_ = PageVisit()
    try:
        try:
            targets = pipe.send("Target.getTargets")["targetInfos"]
        except BrowserUnavailableError as exc:
            err = log.read_text(errors="replace")[-2000:]
            raise BrowserUnavailableError(f"chromium did not start: {exc}; {err.strip()}") from exc
        target = next(t["targetId"] for t in targets if t["type"] == "page")
        session = pipe.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log", "Network"):
            pipe.send(f"{domain}.enable", session=session)
        metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}
        pipe.send("Emulation.setDeviceMetricsOverride", metrics, session=session)
        pipe.send("Page.navigate", {"url": page.resolve().as_uri()}, session=session)
        pipe.wait_for("Page.loadEventFired")
        shot = pipe.send("Page.captureScreenshot", {"format": "png"}, session=session)
        visit_.viewport = base64.b64decode(shot["data"])
        layout = pipe.send("Page.getLayoutMetrics", session=session)
        size = layout.get("cssContentSize") or layout["contentSize"]
        visit_.height = int(size["height"])
        full = {**metrics, "height": min(visit_.height, 16000)}
        pipe.send("Emulation.setDeviceMetricsOverride", full, session=session)
        shot = pipe.send("Page.captureScreenshot", {"format": "png"}, session=session)
        visit_.screenshot = base64.b64decode(shot["data"])
        for event in pipe.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled":
                text = " ".join(
                    str(a.get("value", a.get("description", ""))) for a in params.get("args", [])
                )
                level = (
                    "error"
                    if params.get("type") in ("error", "assert")
                    else params.get("type", "log")
                )
                visit_.console.append({"level": level, "text": text, "source": "console"})
            elif method == "Runtime.exceptionThrown":
                details = params.get("exceptionDetails", {})
                visit_.exceptions.append(
                    str(details.get("exception", {}).get("description") or details.get("text"))
                )
            elif method == "Log.entryAdded":
                entry = params.get("entry", {})
                visit_.console.append(
                    {
                        "level": entry.get("level", ""),
                        "text": entry.get("text", ""),
                        "source": entry.get("source", ""),
                    }
                )
            elif method == "Network.requestWillBeSent":
                visit_.requests.append(params.get("request", {}).get("url", ""))
        with contextlib.suppress(BrowserUnavailableError):
            pipe.send("Browser.close")
        return visit_
    finally:
        os.close(to_chrome_w)
        os.close(from_chrome_r)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(profile, ignore_errors=True)
