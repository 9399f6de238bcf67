"""The line format of the book's toy seq2seq files (chapter 7).

Each line of ``addition.txt`` / ``date.txt`` is one example::

    16+75  _91  
    september 27, 1994           _1994-09-27

the question, left-aligned and padded with spaces on the right to a fixed
width, then the answer starting with ``_`` (the decoder's start symbol), also
padded on the right to a fixed width. Every line of a file has the same two
widths, so the questions and answers stack into ``(N, width)`` arrays. The
widths below were counted from the book's files (all 50,000 lines of each).

Plain Python; nothing here knows about the autodiff engine.
"""
from autograd_nlp.serialization import atomic_write

START = "_"
"""The start symbol: the first character of every answer."""

PAD = " "
"""The padding character, appended on the right of questions and answers."""

ADDITION_WIDTHS = (7, 5)
"""(question, answer) widths of ``addition.txt``: ``"999+999"`` and ``"_1998"``."""

DATE_WIDTHS = (29, 11)
"""(question, answer) widths of ``date.txt``: the longest question is
``"wednesday, september 21, 1988"``; the answer is ``"_YYYY-MM-DD"``."""


def format_line(question, answer, question_width, answer_width):
    """One line (without newline): ``question`` padded to ``question_width``,
    then ``START + answer`` padded to ``answer_width`` (which counts the ``_``).

    >>> format_line("16+75", "91", 7, 5)
    '16+75  _91  '

    Raises ValueError when a part is too long for its width or contains the
    start symbol (the loader splits each line at the first ``_``).
    """
    full_answer = START + answer
    for what, text, width in (("question", question, question_width),
                              ("answer", full_answer, answer_width)):
        if len(text) > width:
            raise ValueError(f"{what} {text!r} has {len(text)} characters, more "
                             f"than the width {width}; widen the format or "
                             f"shorten the {what}")
    if START in question or START in answer or "\n" in question + answer:
        raise ValueError(f"question {question!r} / answer {answer!r} must not "
                         f"contain {START!r} or a newline: {START!r} marks where "
                         f"the answer starts")
    return question.ljust(question_width, PAD) + full_answer.ljust(answer_width, PAD)


def split_line(line):
    """Split one line at its first ``_``: returns ``(question, answer)`` with
    the answer keeping its leading ``_``, as the book's loader does.

    >>> split_line("16+75  _91  ")
    ('16+75  ', '_91  ')

    A trailing newline is dropped. Raises ValueError when there is no ``_``.
    """
    line = line.rstrip("\r\n")
    at = line.find(START)
    if at < 0:
        raise ValueError(f"line {line!r} has no {START!r} separating the question "
                         f"from the answer")
    return line[:at], line[at:]


def write_dataset(lines, path):
    """Write ``lines`` (strings without newlines) to ``path``, one per line,
    each ending with ``\\n`` as in the book's files.

    Atomic: the text goes to a temporary file in the same directory, which then
    replaces ``path`` with ``os.replace``, so a reader never sees a half-written
    file and an interrupted write leaves any old file intact. Parent
    directories are created. Returns ``path``.
    """
    lines = list(lines)
    for i, line in enumerate(lines):
        if "\n" in line or "\r" in line:
            raise ValueError(f"line {i} ({line!r}) contains a newline; pass lines "
                             f"without line endings")
    return atomic_write(path, lambda f: f.writelines(line + "\n" for line in lines),
                        text=True)
