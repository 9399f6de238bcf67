"""The progress display: by time, in terminals and pipes, with the run's ETA."""
import io

from autograd_nlp.training import progress as progress_module
from autograd_nlp.training.progress import Progress, format_metric


def test_progress_updates_by_time_not_by_fraction(monkeypatch):
    clock = [0.0]
    monkeypatch.setattr(progress_module.time, "perf_counter", lambda: clock[0])
    log = io.StringIO()
    bar = Progress(1000, "e", stream=log, unit="targets",
                   run=progress_module.RunClock(3000, 0, 0.0))
    for _ in range(10):                 # 10 steps in 5 s: under the log interval
        clock[0] += 0.5
        bar.update(1, items=10)
    assert log.getvalue() == ""
    clock[0] += progress_module.LOG_INTERVAL
    bar.update(1, items=10)
    line = log.getvalue()
    assert line.count("\n") == 1 and line.startswith("e | 11/1000")
    assert "run " in line and "ETA" in line and "targets/s" in line


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_a_terminal_is_redrawn_every_half_second(monkeypatch):
    clock = [0.0]
    monkeypatch.setattr(progress_module.time, "perf_counter", lambda: clock[0])
    tty = FakeTerminal()
    bar = Progress(100, "e", stream=tty)
    for _ in range(8):
        clock[0] += 0.125               # exact in binary: draws at 0.5 s and 1.0 s
        bar.update(1)
    assert tty.getvalue().count("\r") == 2
    bar.close()
    assert tty.getvalue().endswith("\x1b[K\n") and "] 8/100" in tty.getvalue()


def test_one_format_for_results():
    assert format_metric("accuracy", 1.0) == "accuracy 100.00%"
    assert format_metric("accuracy", 0.0) == "accuracy 0.00%"
    assert format_metric("valid perplexity", 123.456) == "valid perplexity 123.46"
    assert format_metric("loss", float("nan")) == "loss nan"
