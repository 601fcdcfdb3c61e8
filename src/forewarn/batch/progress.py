"""Plain progress lines for a batch whose stderr is a log, not a terminal (no bar to redraw)."""

from __future__ import annotations

import time

from rich.console import Console


class PlainProgress:
    """Prints ``scanned 12 of 40 works (30 %), 0.8 works/s, about 35 s left`` every ``every``
    seconds of a run (nothing when ``every`` is None)."""

    def __init__(self, console: Console, total: int, every: float | None) -> None:
        self.console, self.total, self.every = console, total, every
        self.done = 0
        self.start = self.last = time.monotonic()

    def advance(self) -> None:
        """One more work finished; print a line if ``every`` seconds passed since the last."""
        self.done += 1
        now = time.monotonic()
        if self.every is None or now - self.last < self.every:
            return
        self.last = now
        rate = self.done / max(now - self.start, 1e-9)
        left = (self.total - self.done) / rate if rate > 0 else 0.0
        percent = 100 * self.done // max(self.total, 1)
        self.console.print(
            f"scanned {self.done} of {self.total} works ({percent} %), {rate:,.1f} works/s, "
            f"about {_duration(left)} left",
            markup=False,
            soft_wrap=True,
        )


def _duration(seconds: float) -> str:
    """``35 s``, ``4 min``, ``2 h 05 min``."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    minutes = round(seconds / 60)
    return f"{minutes} min" if minutes < 90 else f"{minutes // 60} h {minutes % 60:02d} min"
