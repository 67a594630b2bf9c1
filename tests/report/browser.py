"""Headless Chromium for the report tests, driven over the DevTools protocol on a pipe.

`--remote-debugging-pipe` speaks NUL-terminated JSON on file descriptors 3 (to the
browser) and 4 (from it), so no websocket library is needed. One launch gives the
console (messages, exceptions, CSP violations), the rendered text and a screenshot.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

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
#: Events that mean the page did something wrong (console.* calls, exceptions, blocked loads).
PROBLEM_EVENTS = ("Runtime.consoleAPICalled", "Runtime.exceptionThrown", "Log.entryAdded")
TIMEOUT_S = 60


@dataclass(frozen=True)
class Page:
    text: str
    problems: list[dict[str, Any]]
    screenshot: bytes


def chromium() -> str:
    """Chromium's path; a missing browser skips the test, except in CI where it must be installed."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI", "").lower() in ("true", "1"):
        pytest.fail("chromium is not installed, but CI must run the browser tests (.ci/run installs it)")
    pytest.skip("chromium is not installed (apt-get install chromium)")


def open_page(path: Path, width: int = 1200, height: int = 2000) -> Page:
    """Load `path`, wait for the load event, and return what a reader would see."""
    with tempfile.TemporaryDirectory() as profile, _Browser(chromium(), profile) as browser:
        session = browser.attach()
        for domain in ("Page", "Runtime", "Log"):
            browser.call(f"{domain}.enable", session)
        metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}
        browser.call("Emulation.setDeviceMetricsOverride", session, **metrics)
        browser.call("Page.navigate", session, url=path.resolve().as_uri())
        browser.wait_for("Page.loadEventFired")
        text = browser.call(
            "Runtime.evaluate", session, expression="document.body.innerText", returnByValue=True
        )["result"]["value"]
        shot = base64.b64decode(browser.call("Page.captureScreenshot", session, format="png")["data"])
        problems = [event for event in browser.events if event.get("method") in PROBLEM_EVENTS]
        return Page(text, problems, shot)


class _Browser:
    def __init__(self, executable: str, profile: str) -> None:
        to_browser, writer = os.pipe()
        reader, from_browser = os.pipe()

        def wire_fds() -> None:  # in the child: the protocol's fixed descriptors 3 and 4
            high_in = fcntl.fcntl(to_browser, fcntl.F_DUPFD, 10)
            high_out = fcntl.fcntl(from_browser, fcntl.F_DUPFD, 10)
            os.dup2(high_in, 3)
            os.dup2(high_out, 4)

        self._process = subprocess.Popen(
            [executable, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            preexec_fn=wire_fds,
            pass_fds=(3, 4),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser)
        os.close(from_browser)
        self._writer = os.fdopen(writer, "wb", buffering=0)
        self._reader = os.fdopen(reader, "rb", buffering=0)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def __enter__(self) -> _Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.call("Browser.close")
            self._process.wait(TIMEOUT_S)
        except (OSError, EOFError, subprocess.TimeoutExpired):
            self._process.kill()
            self._process.wait()
        finally:
            self._writer.close()
            self._reader.close()

    def attach(self) -> str:
        targets = self.call("Target.getTargets")["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        attached = self.call("Target.attachToTarget", targetId=page["targetId"], flatten=True)
        session: str = attached["sessionId"]
        return session

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        self._writer.write(json.dumps(message).encode() + b"\0")
        while True:
            reply = self._receive()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply["result"]
                return result
            self.events.append(reply)

    def wait_for(self, method: str) -> None:
        while not any(event.get("method") == method for event in self.events):
            self.events.append(self._receive())

    def _receive(self) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            if not select.select([self._reader], [], [], TIMEOUT_S)[0]:
                raise TimeoutError(f"chromium sent nothing for {TIMEOUT_S} s")
            chunk = self._reader.read(1 << 16)
            if not chunk:
                raise EOFError("chromium closed the DevTools pipe")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(line)
        return message
