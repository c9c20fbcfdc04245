"""Feedback on long operations: a status line with elapsed time on a terminal, nothing else.

A run's event timer draws its own task bar (tqdm); everything else that can take seconds
(functional runs, figures, trace export, starting a sweep's cluster, benchmarks) shows a
``Status`` line: ``| drawing figures: timeline  3.2 s``, redrawn on stderr a few times a
second, and erased when the operation ends. Nothing is drawn when stderr is not a terminal
(piped, redirected, in CI) or when the command line was given ``--quiet``
(``set_enabled(False)``), so output that is read by programs never carries it.
"""

import sys
import threading
import time
from types import TracebackType
from typing import TextIO

_enabled = True
SPINNER = "|/-\\"
REDRAW_S = 0.2
"""Seconds between redraws."""
DELAY_S = 0.5
"""Nothing is drawn for operations shorter than this."""


def set_enabled(enabled: bool) -> None:
    """Turn every progress display of this process on or off (``--quiet`` turns it off)."""
    global _enabled
    _enabled = enabled


def enabled(stream: TextIO | None = None) -> bool:
    """Whether progress is shown: not turned off, and ``stream`` (stderr) is a terminal."""
    stream = stream or sys.stderr
    return _enabled and hasattr(stream, "isatty") and stream.isatty()


class Status:
    """A context manager that shows ``message`` and the seconds elapsed while it is open.

    ``update(message)`` changes the text (e.g. the figure being drawn). Safe to use when
    progress is off: then it only keeps time (``elapsed_s``).
    """

    def __init__(self, message: str, stream: TextIO | None = None, enabled: bool = True) -> None:
        """``enabled=False`` keeps this one quiet (a caller's own progress switch)."""
        self._message = message
        self._wanted = enabled
        self._stream = stream or sys.stderr
        self._start = time.perf_counter()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._drawn = False
        self._lock = threading.Lock()

    @property
    def elapsed_s(self) -> float:
        """Seconds since the status was opened."""
        return time.perf_counter() - self._start

    def update(self, message: str) -> None:
        """Show ``message`` from the next redraw on."""
        self._message = message

    def __enter__(self) -> "Status":
        self._start = time.perf_counter()
        if self._wanted and enabled(self._stream):
            self._thread = threading.Thread(target=self._draw_loop, daemon=True)
            self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            if self._drawn:
                self._stream.write("\r\033[K")
                self._stream.flush()

    def _draw_loop(self) -> None:
        if self._stop.wait(DELAY_S):
            return
        frame = 0
        while not self._stop.is_set():
            with self._lock:
                spin = SPINNER[frame % len(SPINNER)]
                self._stream.write(f"\r\033[K{spin} {self._message}  {self.elapsed_s:.1f} s")
                self._stream.flush()
                self._drawn = True
            frame += 1
            self._stop.wait(REDRAW_S)
