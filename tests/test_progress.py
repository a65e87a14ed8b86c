"""Progress: plain lines in a log, one updating line on a terminal, nothing when quiet."""

import io

from dbnfer.progress import Progress, report


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_plain_lines_when_the_stream_is_not_a_terminal():
    stream = io.StringIO()
    with Progress(3, "epoch", stream=stream) as progress:
        for loss in (0.5, 0.4, 0.3):
            progress.step(f"loss {loss}")
    assert stream.getvalue().splitlines() == ["epoch 1/3: loss 0.5", "epoch 2/3: loss 0.4", "epoch 3/3: loss 0.3"]


def test_one_updating_line_with_rate_and_time_left_on_a_terminal():
    stream = Terminal()
    with Progress(2, "fold", stream=stream) as progress:
        progress.step()
        progress.step()
    text = stream.getvalue()
    assert text.count("\n") == 1 and text.endswith("\n") and text.count("\r") == 2
    assert "fold 2/2" in text and "/s" in text and "left" in text


def test_quiet_prints_nothing(capsys):
    stream = Terminal()
    with Progress(2, "stage", verbose=False, stream=stream) as progress:
        progress.step("x")
    report("hello", verbose=False)
    assert stream.getvalue() == "" and capsys.readouterr().err == ""
