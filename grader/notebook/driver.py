"""Running a notebook's cells in its kernel through nbclient, from a background thread.

The driver connects to the kernel over its Unix sockets, executes every code cell
with a per-cell time limit (a cell that overruns is interrupted and the next cell
runs, as after an error), then sends the grader cell (:mod:`grader.notebook.serve`)
and keeps collecting what the kernel prints until it is stopped. What the kernel
prints only ever reaches the capped output, with a one-line note for each cell that
failed; answers to probes travel on the private pipes instead.

The whole-notebook deadline is not enforced here: the worker waiting for the grader
cell's ready message gives up at its import deadline and kills the kernel.

The kernel is the student's, and so is everything it publishes. The driver keeps
nothing per message (see `_CellRunner`), and ZMQ queues at most `QUEUED_MESSAGES`
messages of at most `MAX_MESSAGE_BYTES` per frame. What ZMQ cannot bound is the
number of frames in one message (a kernel can send one buffer as many frames at no
cost to itself, and ZMQ holds a whole message before handing it over): that flood
still reaches the grader's memory (a known residual risk).
"""

from __future__ import annotations

import asyncio
import re
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from queue import Empty
from typing import Any

import zmq
import zmq.asyncio
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.connect import KernelConnectionInfo
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionComplete, CellTimeoutError, DeadKernelError
from nbformat import NotebookNode

from grader.notebook import serve
from grader.notebook.document import cell_name, numbered
from grader.notebook.script import Runnable, runnable
from grader.sandbox.output import CappedOutput
from grader.sandbox.stack import Frame
from grader.submission import own_import, own_module
from grader.text import MESSAGE_CHARS, clip, one_line

#: Largest message frame accepted from the kernel; a bigger one drops the connection (flood defence).
MAX_MESSAGE_BYTES = 32 * 1024**2
#: Messages ZMQ may queue for the driver (its default is 1,000); a flood beyond that is dropped by the kernel.
QUEUED_MESSAGES = 16
STOP_JOIN_S = 5.0
#: ``(3218543084.py, line 2)`` in a SyntaxError: IPython's file name for the cell means nothing to a student.
CELL_FILE = re.compile(r"\([^()]*\.py, line (\d+)\)")
#: Longest shell command quoted in a note.
COMMAND_CHARS = 80


class _KernelClient(AsyncKernelClient):
    """A client that asks the process table, not heartbeats, whether the kernel lives."""

    def __init__(self, alive: Callable[[], bool], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._alive = alive

    async def _async_is_alive(self) -> bool:
        return self._alive()

    is_alive = _async_is_alive


def _cancel_all(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel the loop's tasks but the running one, and let them finish if the loop is idle."""
    pending = [task for task in asyncio.all_tasks(loop) if task is not asyncio.current_task(loop)]
    for task in pending:
        task.cancel()
    if pending and not loop.is_running():
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))


async def _connect(client: AsyncKernelClient) -> None:
    """Wait until the kernel answers on the shell channel and publishes to us on iopub.

    Like ``wait_for_ready`` without its final 0.2 s of draining iopub: leftovers
    answer no cell, so nbclient ignores them anyway. The kernel greets each new
    iopub subscriber, so the first iopub message proves that none will be lost.
    A dead kernel ends this wait from outside (the worker sees the pipe close).
    """
    while True:
        client.kernel_info()
        try:
            await client.get_shell_msg(timeout=1)  # any reply will do, also to an earlier request
            await client.get_iopub_msg(timeout=1)  # the greeting, or the status of a request
        except Empty:
            continue
        return


class _CellRunner(NotebookClient):
    """nbclient's cell execution, keeping nothing of what the kernel publishes.

    nbclient plays a front end: it keeps every output in the cell, every widget's
    state and binary buffers, display ids and Output-widget hooks, all in the
    grader's memory and all the student's to flood. Here a message is read, and
    dropped: printed text goes to the capped sink; the cell's execution count is
    kept (it maps the kernel's tracebacks to cells); the idle status ends the cell.
    Comm, widget, display and clear messages are ignored: no grader needs them.
    """

    def __init__(self, nb: NotebookNode, sink: Callable[[str], None], **kwargs: Any) -> None:
        super().__init__(nb, **kwargs)
        self._sink = sink

    def process_message(self, msg: dict[str, Any], cell: NotebookNode, cell_index: int) -> None:
        kind, content = msg["msg_type"], msg["content"]
        if kind == "status" and content.get("execution_state") == "idle":
            raise CellExecutionComplete()
        if kind == "stream":
            self._sink(str(content.get("text", "")))
        if isinstance(content.get("execution_count"), int):  # execute_input, execute_result
            cell["execution_count"] = content["execution_count"]


class NotebookDriver:
    """Executes one notebook in one kernel, then hands the kernel to the grader cell.

    Shell commands are left out of the cells it runs (see `grader.notebook.script.runnable`),
    each cell that had some noted; ``notebook`` is changed to what the kernel runs.
    ``locate()`` tells where the kernel is (`WorkerProcess.locate`), for the note of a cell
    that overran.
    """

    def __init__(
        self,
        notebook: NotebookNode,
        submission: Path,
        connection: KernelConnectionInfo,
        *,
        cell_timeout_s: float,
        output: CappedOutput,
        alive: Callable[[], bool],
        send_signal: Callable[[int], None],
        locate: Callable[[], list[Frame]],
    ) -> None:
        self._notebook, self._submission, self._name = notebook, submission, submission.name
        self._connection = connection
        self._cell_timeout_s = cell_timeout_s
        self._output, self._alive, self._send_signal, self._locate = output, alive, send_signal, locate
        #: Each code cell's index in the notebook -> its number (`cell_name`).
        self._numbers = numbered(notebook)
        self._runnable = _without_shell(notebook, self._numbers)
        #: The code each code cell runs, by cell number (shell commands left out).
        self.cells = {number: cell.code for number, cell in self._runnable.items() if cell.code is not None}
        self._line_start = True
        self._end_expected = False
        #: The number of the cell executing now, if any (a kernel death names it).
        self.running_cell: int | None = None
        #: Why the driver killed the kernel, if it did.
        self.failure: str | None = None
        #: Set when the grader cell has ended after :meth:`expect_end`: every print has arrived.
        self.finished = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._task = self._loop.create_task(self._drive())
        self._thread = threading.Thread(target=self._run, name="notebook-driver", daemon=True)
        self._thread.start()

    def expect_end(self) -> None:
        """The grader is about to tell the grader cell to stop: its end is no failure."""
        self._end_expected = True

    def stop(self) -> None:
        """Stop driving and disconnect from the kernel (which the caller kills)."""
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._task.cancel)
            self._thread.join(STOP_JOIN_S)

    def _run(self) -> None:
        try:
            self._loop.run_until_complete(self._task)
        except asyncio.CancelledError:
            pass  # stop() was called
        finally:
            _cancel_all(self._loop)
            self._loop.close()

    async def _drive(self) -> None:
        context = zmq.asyncio.Context()
        context.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE_BYTES)
        context.setsockopt(zmq.RCVHWM, QUEUED_MESSAGES)
        client = _KernelClient(self._alive, context=context)
        client.load_connection_info(self._connection)
        client.start_channels(stdin=False, hb=False)  # so input() raises instead of waiting forever
        try:
            await _connect(client)
            cells = await self._run_cells(client)
            code = serve.source(self._name, cells)
            await self._collect(client, client.execute(code, store_history=False))
        except DeadKernelError:
            pass  # the worker sees the pipe close and asks the process how it died
        except Exception as exc:  # a driver that cannot go on must not leave the worker waiting
            why = clip(str(exc), MESSAGE_CHARS)  # nbclient's errors may quote the kernel's messages
            self._abort(f"the grader could not run the notebook ({type(exc).__name__}: {why})")
        finally:
            client.stop_channels()
            context.destroy(linger=0)

    async def _run_cells(self, client: AsyncKernelClient) -> dict[int, str]:
        """Execute every code cell; return the kernel's execution count -> the cell's name."""
        runner = _CellRunner(
            self._notebook,
            self._print,
            allow_errors=True,
            timeout_func=lambda cell: self._cell_timeout_s,
            on_cell_error=self._note_error,
        )
        runner.kc = client
        executed: dict[int, str] = {}
        for index, number in self._numbers.items():
            cell = self._notebook.cells[index]
            self.running_cell = number
            shell = self._runnable[number]
            if shell.commands:
                self._note(_shell_note(number, shell))
            if shell.code is None:
                continue
            try:
                await runner.async_execute_cell(cell, index)
            except CellTimeoutError:
                self._note(self._overran(number))
                self._send_signal(signal.SIGINT)
                _cancel_all(asyncio.get_running_loop())  # nbclient's reader of that cell's output
            if cell.get("execution_count"):
                executed[cell.execution_count] = cell_name(number)
        self.running_cell = None
        return executed

    def _overran(self, number: int) -> str:
        """The note for cell ``number`` that ran out of time: where it was, when the kernel can tell."""
        frames = self._locate()
        running = f" (it was running {frames[-1].where})" if frames else ""
        return f"{cell_name(number)} did not finish within {self._cell_timeout_s:g} s{running}: interrupted"

    async def _collect(self, client: AsyncKernelClient, grader_cell: str) -> None:
        """Pass on what the kernel prints while it answers probes, until the grader cell ends."""
        error = ""
        while True:
            msg = await client.get_iopub_msg()
            kind, content = msg["msg_type"], msg["content"]
            ours = msg["parent_header"].get("msg_id") == grader_cell
            if kind == "stream":
                self._print(content.get("text", ""))
            elif ours and kind == "error":
                error = ": " + _error_line(content)
            elif ours and kind == "status" and content.get("execution_state") == "idle":
                if self._end_expected:
                    self.finished.set()
                else:
                    self._abort(f"the grader's cell stopped early in the kernel{error}")
                return

    def _note_error(self, cell: NotebookNode, cell_index: int, execute_reply: dict[str, Any]) -> None:
        content = execute_reply["content"]
        module = own_module(self._submission, str(content.get("ename")), str(content.get("evalue")))
        own = f" ({self._name} {own_import(self._submission, module)})" if module else ""
        self._note(f"{cell_name(self._numbers[cell_index])} raised {_error_line(content)}{own}")

    def _note(self, text: str) -> None:
        """A line of our own in the output, as Jupyter would show the failure under the cell."""
        self._print(("" if self._line_start else "\n") + f"[{self._name}] {text}\n")

    def _print(self, text: str) -> None:
        if text:
            self._output.append(text.encode("utf-8", errors="replace"))
            self._line_start = text.endswith("\n")

    def _abort(self, why: str) -> None:
        self.failure = why
        self._send_signal(signal.SIGKILL)


def _without_shell(notebook: NotebookNode, numbers: dict[int, int]) -> dict[int, Runnable]:
    """Each code cell (by number) as it runs during grading; ``notebook`` changed to match."""
    cells = {}
    for index, number in numbers.items():
        cell = notebook.cells[index]
        cells[number] = runnable(cell.source)
        cell.source = cells[number].code or ""
    return cells


def _shell_note(number: int, cell: Runnable) -> str:
    """Why a cell's shell commands were left out, quoting the first."""
    first = one_line(cell.commands[0], COMMAND_CHARS)
    more = f" and {len(cell.commands) - 1} more" if len(cell.commands) > 1 else ""
    what = (
        "keep the cell if you like: it is skipped"
        if cell.code is None
        else "keep them if you like: they are skipped, the rest of the cell runs"
    )
    return (
        f"{cell_name(number)}: shell commands (`{first}`{more}) do not run during grading; "
        f"install packages before, and {what}"
    )


def _error_line(content: dict[str, Any]) -> str:
    """A kernel's error as one bounded line, ``ename: evalue`` (both the student's to choose)."""
    message = CELL_FILE.sub(r"(line \1)", clip(str(content.get("evalue")), MESSAGE_CHARS))
    return one_line(f"{content.get('ename')}: {message}", MESSAGE_CHARS)
