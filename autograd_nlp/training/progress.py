"""A dependency-free progress bar: iterations, metrics, tokens/s and ETA.

On a terminal it redraws one line; in a log file (not a TTY) it prints a full
line every ``log_every`` fraction of the work, so logs stay readable.
"""
import sys
import time


def format_duration(seconds):
    seconds = int(max(seconds, 0))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}h{m:02d}m{s:02d}s" if h else (f"{m}m{s:02d}s" if m else f"{s}s")


class Progress:
    """``bar = Progress(total, "epoch 1"); bar.update(1, tokens=700, loss=5.1); bar.close()``"""

    def __init__(self, total, desc="", stream=None, enabled=True, log_every=0.1, width=24):
        self.total, self.desc = total, desc
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.log_every = max(1, int(total * log_every)) if total else 1
        self.width = width
        self.count = 0
        self.tokens = 0
        self.metrics = {}
        self.start = time.perf_counter()
        self._last_draw = 0.0

    def update(self, n=1, tokens=0, **metrics):
        self.count += n
        self.tokens += tokens
        self.metrics.update(metrics)
        if not self.enabled:
            return
        now = time.perf_counter()
        if self.tty:
            if now - self._last_draw > 0.1 or self.count == self.total:
                self._last_draw = now
                self.stream.write("\r" + self.line() + "\x1b[K")
                self.stream.flush()
        elif self.count % self.log_every == 0 or self.count == self.total:
            self.stream.write(self.line() + "\n")
            self.stream.flush()

    def line(self):
        elapsed = time.perf_counter() - self.start
        parts = [self.desc] if self.desc else []
        if self.total:
            done = self.count / self.total
            filled = int(self.width * done)
            parts.append(f"[{'#' * filled}{'.' * (self.width - filled)}] "
                         f"{self.count}/{self.total}")
        else:
            parts.append(f"{self.count}")
        for key, value in self.metrics.items():
            parts.append(f"{key} {value:.4g}" if isinstance(value, float) else f"{key} {value}")
        if self.tokens and elapsed > 0:
            parts.append(f"{self.tokens / elapsed:,.0f} tok/s")
        if self.total and self.count:
            eta = elapsed / self.count * (self.total - self.count)
            parts.append(f"{format_duration(elapsed)} elapsed, ETA {format_duration(eta)}")
        return " | ".join(parts)

    def close(self):
        if self.enabled and self.tty:
            self.stream.write("\n")
            self.stream.flush()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
