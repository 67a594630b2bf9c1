"""Grade on a Dask distributed cluster: the same tasks, each graded by a worker with the same sandbox.

The workers need the grader installed and must see the batch directory and the course
at the same paths as this machine (a shared file system); results come back as JSON
text and the parent writes every output, as with the local pool.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from types import TracebackType
from typing import Any

from grader.batch.task import Task, grade
from grader.errors import UsageError

CONNECT_TIMEOUT_S = 10
#: Tasks in flight per worker thread: enough to keep workers busy, few enough to stream results.
IN_FLIGHT_PER_THREAD = 2


class DaskCluster:
    """A connection to the scheduler at `address` for the duration of a batch."""

    def __init__(self, address: str, work: Callable[[Task], str] = grade) -> None:
        self._address = address
        self._work = work
        self._client: Any = None

    def __enter__(self) -> DaskCluster:
        try:
            from distributed import Client
        except ImportError:
            raise UsageError("--executor dask needs Dask: pip install 'backprop-grader[dask]'") from None
        try:
            self._client = Client(self._address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
        except (OSError, ValueError) as exc:  # unreachable (OSError), malformed address
            raise UsageError(f"cannot reach the Dask scheduler at {self._address}: {exc}") from None
        return self

    def run(self, tasks: Iterable[Task]) -> Iterator[str]:
        """The outcome text (`Graded.dumps`) of each task, as soon as a worker has graded it."""
        from distributed import as_completed

        pending = iter(tasks)
        in_flight: dict[str, Task] = {}
        completed = as_completed(loop=self._client.loop)  # this client, not a process-wide default

        def submit() -> None:
            task = next(pending, None)
            if task is not None:
                future = self._client.submit(self._work, task, pure=False)
                in_flight[future.key] = task
                completed.add(future)

        threads = sum(self._client.nthreads().values())
        for _ in range(IN_FLIGHT_PER_THREAD * max(threads, 1)):
            submit()
        for future in completed:
            task = in_flight.pop(future.key)
            try:
                text: str = future.result()
            except Exception as exc:  # e.g. KilledWorker: the task took its workers down
                text = task.failure(f"the Dask task failed ({type(exc).__name__}: {exc})").dumps()
            future.release()
            submit()
            yield text

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._client.close()
