"""Answer questions with a trained seq2seq model, and say which answers not to trust.

    translator = Translator(model, chars, question_length=40, answer_length=11,
                            reverse=True, checks="date", threshold=0.93)
    [a.text for a in translator.translate(["december 6, 2026", "6/12/2026"])]
    # ['2026-12-06', '2026-06-12']

Every answer comes with the probability the model gave each of its
characters (``confidence``: their mean; ``lowest``: the smallest) and the
checks it failed (``flags``): ``low confidence`` when ``lowest`` is under
``threshold`` (calibrated after training, see ``calibrate_threshold``), and for
dates the checks of ``autograd_nlp.text.date_checks`` (a real calendar day, the
weekday the question names). A question the model cannot read (empty, too
long, a character outside its vocabulary) gets ``error`` instead of an answer.
"""
import dataclasses
import re

import numpy as np

from autograd_nlp.data.seq import SeqDataset, UnknownCharacterError
from autograd_nlp.text.date_checks import date_answer_flags

LOW_CONFIDENCE = "low confidence"
DEFAULT_THRESHOLD = 0.8
"""The lowest-character threshold of checkpoints written before calibration."""
BATCH = 512


@dataclasses.dataclass
class Answer:
    """One question's answer: ``text`` (None when the question could not be
    read, then ``error`` says why), per-character probabilities summarised as
    ``confidence`` (mean) and ``lowest`` (at character ``lowest_at``, 1-based),
    and ``flags``, the checks it failed (empty: trusted)."""
    question: str
    text: str = None
    confidence: float = float("nan")
    lowest: float = float("nan")
    lowest_at: int = 0
    flags: list = dataclasses.field(default_factory=list)
    error: str = None

    @property
    def trusted(self):
        """An answer that passed every check."""
        return self.error is None and not self.flags

    def as_dict(self):
        """The JSON record of ``translate --json``."""
        return {"question": self.question, "answer": self.text,
                "confidence": None if self.text is None else round(self.confidence, 6),
                "lowest": None if self.text is None else round(self.lowest, 6),
                "flags": list(self.flags), "error": self.error}


class Translator:
    """A seq2seq model with its vocabulary: strings in, checked ``Answer``s out.

    model: an ``EncoderDecoder`` (models/encoder_decoder.py)
    chars: the vocabulary, character i has id i (must hold ``_``, the start)
    question_length, answer_length: the model's widths (the answer's counts ``_``)
    reverse: the model reads questions reversed
    checks: "date" to check answers as ISO dates, None for none
    threshold: flag answers with a character below this probability
    meta: the checkpoint's meta (``autograd_nlp.load`` fills it in)
    """

    def __init__(self, model, chars, question_length, answer_length, reverse,
                 checks=None, threshold=DEFAULT_THRESHOLD, meta=None):
        self.model = model
        self.meta = dict(meta or {})
        self.threshold = float(threshold)
        self.checks = checks
        empty = np.zeros((0, question_length), dtype=np.int64)
        self.vocabulary = SeqDataset(empty, np.zeros((0, answer_length), dtype=np.int64),
                                     None, None, {c: i for i, c in enumerate(chars)},
                                     dict(enumerate(chars)), reverse=reverse)

    @property
    def question_length(self):
        return self.vocabulary.question_length

    def read(self, question):
        """The question as the model will see it (ends stripped; runs of
        spaces folded when that is what makes it fit), or raises ValueError
        saying why it cannot be read."""
        text = question.strip()
        if not text:
            raise ValueError("the question is empty")
        if len(text) > self.question_length:
            text = re.sub(r"\s+", " ", text)
        if len(text) > self.question_length:
            raise ValueError(f"the question has {len(text)} characters; this model reads "
                             f"at most {self.question_length}")
        self.vocabulary.encode(text)      # UnknownCharacterError names the characters
        return text

    def translate(self, questions, beam=1):
        """``Answer`` for a str, or a list of them for a list of str."""
        single = isinstance(questions, str)
        items = [questions] if single else list(questions)
        answers = [Answer(q) for q in items]
        readable = []
        for answer in answers:
            try:
                readable.append((answer, self.read(answer.question)))
            except (ValueError, UnknownCharacterError) as e:
                answer.error = str(e)
        for start in range(0, len(readable), BATCH):
            self._answer(readable[start:start + BATCH], beam)
        return answers[0] if single else answers

    def _answer(self, batch, beam):
        vocabulary = self.vocabulary
        x = vocabulary.encode_questions([text for _, text in batch])
        length = vocabulary.answer_length - 1
        start_id = vocabulary.start_id
        ids = (self.model.beam_search(x, start_id, length, beam) if beam > 1
               else self.model.generate(x, start_id, length))
        probs = np.exp(self.model.answer_log_probs(x, start_id, ids))
        for (answer, text), row, p in zip(batch, ids, probs):
            answer.text = vocabulary.decode(row).rstrip()
            lowest_at = int(np.argmin(p)) if p.size else 0
            answer.confidence = float(p.mean()) if p.size else 1.0
            answer.lowest = float(p[lowest_at]) if p.size else 1.0
            answer.lowest_at = lowest_at + 1
            if self.checks == "date":
                answer.flags.extend(date_answer_flags(text, answer.text))
            if not np.isfinite(answer.lowest) or answer.lowest < self.threshold:
                answer.flags.append(LOW_CONFIDENCE)


def calibrate_threshold(lowest, correct, max_right_flagged=0.0005):
    """The confidence threshold from a validation set: the largest one that
    flags at most ``max_right_flagged`` of the right answers (so it flags as
    many wrong ones as that allows). ``lowest``: each answer's lowest
    character probability; ``correct``: whether it was right. Answers whose
    lowest probability is below the threshold are flagged."""
    lowest = np.asarray(lowest, dtype=np.float64)
    right = np.sort(lowest[np.asarray(correct, dtype=bool)])
    if right.size == 0:
        return 1.0
    allowed = int(np.floor(max_right_flagged * right.size))   # right answers flagged
    return float(right[allowed])
