"""A dependency-free progress display: steps, metrics, items/s, the epoch's
and the whole run's elapsed time and ETA.

On a terminal it redraws one line at most every ``tty_interval`` seconds; in
a pipe or log file (not a TTY) it prints a plain line every ``log_interval``
seconds and when the work is done, so logs show progress without a line
per step. In a Jupyter notebook (writing to the default stream) it redraws
one output line of the cell in place, as on a terminal, and leaves it showing
the final state.
"""
import math
import re
import sys
import time

from autograd_nlp import notebook_display

TTY_INTERVAL = 0.5      # seconds between redraws on a terminal
LOG_INTERVAL = 20.0     # seconds between plain lines in a pipe / log file
NOTEBOOK_INTERVAL = 0.5  # seconds between redraws of a notebook's output line


def format_duration(seconds):
    if not math.isfinite(seconds):
        return "?"
    seconds = int(max(seconds, 0))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}h{m:02d}m{s:02d}s" if h else (f"{m}m{s:02d}s" if m else f"{s}s")


def format_metric(name, value):
    """One result as printed everywhere: accuracies and fractions in
    percent with 2 decimals, perplexities with 2 decimals, losses with 4, other floats with 4
    significant digits (``nan``/``inf`` as themselves)."""
    if isinstance(value, bool) or not isinstance(value, (float, int)):
        return f"{name} {value}"
    if "accuracy" in name or "fraction" in name:
        return f"{name} {100 * value:.2f}%"
    if "perplexity" in name or name == "ppl":
        return f"{name} {value:.2f}"
    if name == "loss":
        return f"{name} {value:.4f}"
    if isinstance(value, int):
        return f"{name} {value}"
    return f"{name} {value:.4g}"


class RunClock:
    """Where a progress bar sits in the whole run: ``total`` steps in all
    epochs, ``done`` of them finished before the bar started, and the
    ``elapsed`` seconds the run had already spent (earlier epochs, earlier
    sessions before a resume)."""

    def __init__(self, total, done=0, elapsed=0.0):
        self.total, self.done, self.elapsed = total, done, elapsed


class Progress:
    """``bar = Progress(total, "epoch 1", unit="tokens"); bar.update(1,
    items=700, loss=5.1); bar.close()``. ``items`` are counted for the
    rate shown as "<rate> <unit>/s"; ``run`` (a ``RunClock``) adds the whole
    run's elapsed time and ETA. In a Jupyter kernel, with ``stream`` left
    out, the bar is an output line of the cell redrawn in place."""

    def __init__(self, total, desc="", stream=None, enabled=True, unit="items", run=None,
                 tty_interval=None, log_interval=None, width=24):
        self.total, self.desc, self.unit, self.run = total, desc, unit, run
        self.stream = stream or sys.stderr
        self.enabled = enabled
        # a notebook's live line (None elsewhere, or when a stream is given),
        # one per kind of bar and cell: "epoch 1/4" ... "epoch 4/4" share one
        self.live = (notebook_display.live_line(re.sub(r"\d+", "#", desc or ""))
                     if stream is None and enabled else None)
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        if self.live is not None:
            self.interval = NOTEBOOK_INTERVAL if tty_interval is None else tty_interval
        elif self.tty:
            self.interval = TTY_INTERVAL if tty_interval is None else tty_interval
        else:
            self.interval = LOG_INTERVAL if log_interval is None else log_interval
        self.width = width
        self.count = 0          # steps done (may start above 0 after a resume)
        self._counted = 0       # steps done while this bar ran (for rates)
        self.items = 0
        self.metrics = {}
        self.start = time.perf_counter()
        self._last_draw = self.start
        self._drawn = False

    def update(self, n=1, items=0, **metrics):
        self.count += n
        self._counted += n
        self.items += items
        self.metrics.update(metrics)
        if not self.enabled:
            return
        now = time.perf_counter()
        if now - self._last_draw >= self.interval:
            self._draw(now)

    def _draw(self, now):
        self._last_draw = now
        self._drawn = True
        if self.live is not None:
            self.live.show(self.line())
            return
        if self.tty:
            self.stream.write("\r" + self.line() + "\x1b[K")
        else:
            self.stream.write(self.line() + "\n")
        self.stream.flush()

    def line(self):
        elapsed = time.perf_counter() - self.start
        parts = [self.desc] if self.desc else []
        if self.total:
            filled = int(self.width * min(self.count / self.total, 1.0))
            drawn = self.tty or self.live is not None
            bar = f"[{'#' * filled}{'.' * (self.width - filled)}] " if drawn else ""
            parts.append(f"{bar}{self.count}/{self.total}")
        else:
            parts.append(f"{self.count}")
        for key, value in self.metrics.items():
            parts.append(format_metric(key, value))
        if self.items and elapsed > 0:
            parts.append(f"{self.items / elapsed:,.0f} {self.unit}/s")
        rate = self._counted / elapsed if elapsed > 0 and self._counted else 0.0
        if self.total:
            eta = (self.total - self.count) / rate if rate else math.inf
            parts.append(f"{format_duration(elapsed)} elapsed, ETA {format_duration(eta)}")
        if self.run is not None and self.run.total:
            left = self.run.total - self.run.done - self._counted
            eta = left / rate if rate else math.inf
            parts.append(f"run {format_duration(self.run.elapsed + elapsed)}, "
                         f"ETA {format_duration(eta)}")
        return " | ".join(parts)

    def close(self):
        """End the display: a terminal keeps the final state on its own line;
        a log gets a final line when it had printed one during the work."""
        if not self.enabled:
            return
        if self.live is not None:
            if self._drawn or self.count:       # the line keeps the final state
                self.live.show(self.line())
        elif self.tty:
            if self._drawn or self.count:
                self.stream.write("\r" + self.line() + "\x1b[K\n")
                self.stream.flush()
        elif self._drawn:
            self.stream.write(self.line() + "\n")
            self.stream.flush()
        self.enabled = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
