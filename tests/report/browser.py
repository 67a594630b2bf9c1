"""Headless Chromium for the report tests and the docs' screenshots, driven over the DevTools protocol.

`--remote-debugging-pipe` speaks NUL-terminated JSON on file descriptors 3 (to the
browser) and 4 (from it), so no websocket library is needed. One `Browser` serves many
pages: each opens in a tab of its own (so its console is its own) at the `Viewport` it
asks for. Headless Chromium makes no window narrower than about 500 px, so the screen
is emulated (`Emulation.setDeviceMetricsOverride`); a phone is emulated as a phone
(`mobile`: the page's viewport meta tag is honoured), at a device scale factor of 1.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
#: A right edge this far past the screen is rounding, not overflow.
SLACK_PX = 0.5
#: Overflowing elements named in a measurement (the outermost ones: the rest are inside them).
OVERFLOW_SHOWN = 12

#: Measures the page as loaded (a JavaScript function of the screen's width and the score's selector).
#: An element overflows when its right edge passes the screen; only the outermost one of a nest is
#: named, and not one inside an element that scrolls or clips horizontally (that one is not the page's).
MEASURE = """(width, selector, slack, shown) => {
  const box = (e) => {
    const r = e.getBoundingClientRect();
    return {left: r.left, top: r.top, right: r.right, bottom: r.bottom};
  };
  const overflows = (e) => e.getBoundingClientRect().right > width + slack;
  const contained = (e) => {
    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') return true;
    }
    return false;
  };
  const outermost = [...document.body.querySelectorAll('*')].filter((e) =>
    overflows(e) && !(e.parentElement !== document.body && overflows(e.parentElement)) && !contained(e));
  const score = selector && document.querySelector(selector);
  return {
    scroll_width: document.documentElement.scrollWidth,
    inner_width: innerWidth,
    scroll_height: document.documentElement.scrollHeight,
    text: document.body.innerText,
    score: score ? box(score) : null,
    overflowing: outermost.slice(0, shown).map((e) => ({
      element: e.tagName.toLowerCase() + (e.getAttribute('class') || '').split(/\\s+/).filter(Boolean)
        .map((c) => '.' + c).join(''),
      text: (e.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 40),
      width: e.getBoundingClientRect().width,
      right: e.getBoundingClientRect().right,
    })),
    overflowing_count: outermost.length,
  };
}"""


@dataclass(frozen=True)
class Viewport:
    """A screen in CSS pixels; `mobile` makes Chromium lay the page out as a phone would."""

    name: str
    width: int
    height: int
    mobile: bool = False


PHONE = Viewport("phone", 390, 844, mobile=True)
DESKTOP = Viewport("desktop", 1280, 800)


@dataclass(frozen=True)
class Box:
    """An element's bounding box, in CSS pixels from the top left of the first screen."""

    left: float
    top: float
    right: float
    bottom: float

    def within(self, viewport: Viewport) -> bool:
        """Whether the box is on the first screen, whole and not empty."""
        return 0 <= self.left < self.right <= viewport.width + SLACK_PX and (
            0 <= self.top < self.bottom <= viewport.height + SLACK_PX
        )


@dataclass(frozen=True)
class Overflow:
    """An element that passes the screen's right edge: `tag.class`, its start of text, width and edge."""

    element: str
    text: str
    width: float
    right: float

    def __str__(self) -> str:
        return f"{self.element} ({self.text!r}): {self.width:.0f} px wide, right edge at {self.right:.0f} px"


@dataclass(frozen=True)
class Page:
    """What a page loaded at `viewport` showed: its text, its console, and its layout."""

    viewport: Viewport
    text: str = field(repr=False)
    problems: list[dict[str, Any]]
    #: `document.documentElement.scrollWidth`: the page's width, overflow included.
    scroll_width: int
    #: `innerWidth`; on a phone Chromium widens it to a page that overflows, so compare with the viewport.
    inner_width: int
    scroll_height: int
    #: The box of the element the caller named as holding the score (None: none was named or found).
    score: Box | None
    #: The outermost elements passing the screen's right edge (the first `OVERFLOW_SHOWN`).
    overflowing: list[Overflow]
    overflowing_count: int

    def layout(self) -> str:
        """The page's width and the elements that make it too wide, for an assertion's message."""
        named = "".join(f"\n  {element}" for element in self.overflowing)
        unnamed = self.overflowing_count - len(self.overflowing)
        more = f"\n  … and {unnamed} more" if unnamed else ""
        return (
            f"{self.viewport.name}: page {self.scroll_width} px wide on a {self.viewport.width} px screen "
            f"(innerWidth {self.inner_width}); overflowing:{named or ' none named'}{more}"
        )


def find_chromium() -> str | None:
    """Chromium's path, or None when it is not installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Browser:
    """One headless Chromium for many pages: `with Browser(path) as browser: browser.open(...)`."""

    def __init__(self, executable: str) -> None:
        self._executable = executable
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> Browser:
        profile = self._stack.enter_context(tempfile.TemporaryDirectory())
        self._pipe = self._stack.enter_context(_Pipe(self._executable, profile))
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def open(self, path: Path, viewport: Viewport = DESKTOP, score: str | None = None) -> Page:
        """Load `path` at `viewport` and measure it; `score` is a CSS selector for the score's element."""
        with self._tab(path, viewport) as session:
            measured = self._pipe.evaluate(
                session, f"({MEASURE})({viewport.width}, {json.dumps(score)}, {SLACK_PX}, {OVERFLOW_SHOWN})"
            )
            problems = [e for e in self._pipe.events_of(session) if e.get("method") in PROBLEM_EVENTS]
        box = measured.pop("score")
        overflowing = [Overflow(**element) for element in measured.pop("overflowing")]
        return Page(
            viewport,
            problems=problems,
            score=Box(**box) if box else None,
            overflowing=overflowing,
            **measured,
        )

    def screenshot(self, path: Path, viewport: Viewport = DESKTOP, max_height: int | None = None) -> bytes:
        """A PNG of `path` at `viewport`: the first screen, or with `max_height` the page from its
        top down to its end or `max_height` pixels, whichever comes first."""
        with self._tab(path, viewport) as session:
            params: dict[str, Any] = {"format": "png"}
            if max_height is not None:
                height = self._pipe.evaluate(session, "document.documentElement.scrollHeight")
                clip = {
                    "x": 0,
                    "y": 0,
                    "width": viewport.width,
                    "height": min(height, max_height),
                    "scale": 1,
                }
                params |= {"captureBeyondViewport": True, "clip": clip}
            data = self._pipe.call("Page.captureScreenshot", session, **params)["data"]
        return base64.b64decode(data)

    @contextlib.contextmanager
    def _tab(self, path: Path, viewport: Viewport) -> Iterator[str]:
        """A new tab showing `path` at `viewport`, loaded; yields its session, closes it after."""
        with contextlib.ExitStack() as cleanup:
            target = self._pipe.call("Target.createTarget", url="about:blank")["targetId"]
            cleanup.callback(self._pipe.call, "Target.closeTarget", targetId=target)
            session = self._pipe.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
            cleanup.callback(self._pipe.drop_events, session)
            for domain in ("Page", "Runtime", "Log"):
                self._pipe.call(f"{domain}.enable", session)
            size = {"width": viewport.width, "height": viewport.height}
            metrics = {**size, "deviceScaleFactor": 1, "mobile": viewport.mobile}
            self._pipe.call("Emulation.setDeviceMetricsOverride", session, **metrics)
            self._pipe.drop_events(session)  # about:blank's own load event is not the page's
            self._pipe.call("Page.navigate", session, url=path.resolve().as_uri())
            self._pipe.wait_for("Page.loadEventFired", session)
            yield session


class _Pipe:
    """Chromium started with the DevTools protocol on a pipe: calls, and the events they bring."""

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
        self._events: list[dict[str, Any]] = []

    def __enter__(self) -> _Pipe:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.call("Browser.close")
            self._process.wait(TIMEOUT_S)
        except (OSError, EOFError, RuntimeError, subprocess.TimeoutExpired):
            self._process.kill()
            self._process.wait()
        finally:
            self._writer.close()
            self._reader.close()

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
            self._events.append(reply)

    def evaluate(self, session: str, expression: str) -> Any:
        """The value of a JavaScript expression in the tab of `session`."""
        reply = self.call("Runtime.evaluate", session, expression=expression, returnByValue=True)
        if "exceptionDetails" in reply:
            raise RuntimeError(f"{expression[:80]}…: {reply['exceptionDetails']}")
        return reply["result"]["value"]

    def wait_for(self, method: str, session: str) -> None:
        while not any(e.get("method") == method for e in self.events_of(session)):
            self._events.append(self._receive())

    def events_of(self, session: str) -> list[dict[str, Any]]:
        return [e for e in self._events if e.get("sessionId") == session]

    def drop_events(self, session: str) -> None:
        """Forget the events of `session` so far (a closed tab's are of no more use)."""
        self._events = [e for e in self._events if e.get("sessionId") != session]

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
