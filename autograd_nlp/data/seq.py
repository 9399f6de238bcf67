"""Load, split and encode the toy seq2seq datasets of the book's chapter 7.

    ds = load_seq_dataset("addition", data_dir="DATA")   # DATA/seq/addition.txt or DATA/addition.txt
    ds.x_train.shape, ds.t_train.shape                   # (45000, 7), (45000, 5)
    ds.decode(ds.x_train[0]), ds.decode(ds.t_train[0])   # '71+118 ', '_189 '

    ds = make_seq_dataset("date", n=50_000, seed=0)      # no files needed

The split, vocabulary and id arrays are exactly those of the book's
``dataset/sequence.load_data(file_name, seed=1984)``, so accuracies are
comparable with the book's: characters get ids in order of first appearance,
scanning each line's question and then its answer; the rows are shuffled by
the legacy NumPy generator seeded with 1984 (``np.random.seed(1984);
np.random.shuffle(indices)``, done here on a private ``RandomState`` so the
global generator is left alone); the last ``N // 10`` shuffled rows are the
test set. One difference: the book keeps its vocabulary in module globals, so
loading both files in one process mixes their ids; here each dataset has its
own.

Plain NumPy; nothing here knows about the autodiff engine.
"""
import dataclasses
import fractions
import os

import numpy as np

from autograd_nlp.data.generate_addition import generate_addition
from autograd_nlp.data.generate_dates import generate_dates
from autograd_nlp.data.paths import (DATA_ENV, DatasetNotFoundError, missing_files_message,
                                     resolve_data_dir)
from autograd_nlp.data.seq_format import PAD, START, split_line
from autograd_nlp.data.written_dates import ALPHABET, generate_written_dates

SEQ_FILES = {"addition": "addition.txt", "date": "date.txt"}
"""Dataset name -> the book's file name."""

BOOK_SPLIT_SEED = 1984
ID_DTYPE = np.int64
"""Dtype of the id arrays: the book's (``np.int``), and what torch wants for targets."""

_GENERATORS = {"addition": generate_addition, "date": generate_dates}


class UnknownCharacterError(ValueError, KeyError):
    """Text to encode has characters outside the vocabulary; ``.chars`` lists
    them in order of first appearance."""

    def __init__(self, message, chars):
        super().__init__(message)
        self.chars = tuple(chars)

    def __str__(self):          # KeyError would quote the message
        return self.args[0]


@dataclasses.dataclass(eq=False, repr=False)
class SeqDataset:
    """A toy seq2seq dataset, split and encoded.

    x_train: (N_train, question_length) int64 -- question ids, reversed in
        time when ``reverse`` (the book's "reverse the input" trick)
    t_train: (N_train, answer_length) int64 -- answer ids, starting with
        ``start_id``
    x_test, t_test: the same for the test rows
    char_to_id, id_to_char: the vocabulary, ids 0..vocab_size-1
    x_valid, t_valid: validation rows carved from the training rows by
        ``with_validation`` (``autograd_nlp.data.splits``); empty until then
    """
    x_train: np.ndarray
    t_train: np.ndarray
    x_test: np.ndarray
    t_test: np.ndarray
    char_to_id: dict
    id_to_char: dict
    reverse: bool = False
    source: str = ""
    x_valid: np.ndarray = None
    t_valid: np.ndarray = None

    def __post_init__(self):
        if self.x_valid is None and self.x_train is not None:
            self.x_valid = self.x_train[:0]
            self.t_valid = self.t_train[:0]

    def __repr__(self):
        return (f"SeqDataset({self.source!r}, x_train={self.x_train.shape}, "
                f"t_train={self.t_train.shape}, x_valid={self.x_valid.shape}, "
                f"x_test={self.x_test.shape}, "
                f"t_test={self.t_test.shape}, vocab_size={self.vocab_size}, "
                f"reverse={self.reverse})")

    @property
    def vocab_size(self):
        return len(self.char_to_id)

    @property
    def question_length(self):
        return self.x_train.shape[1]

    @property
    def answer_length(self):
        """Length of ``t`` rows, the leading ``_`` included."""
        return self.t_train.shape[1]

    @property
    def start_id(self):
        """Id of ``_``, the decoder's first input."""
        return self.char_to_id[START]

    @property
    def pad_id(self):
        """Id of the space that pads questions and answers on the right."""
        if PAD not in self.char_to_id:
            raise ValueError(f"this vocabulary has no padding space: its lines "
                             f"are never padded ({self.source})")
        return self.char_to_id[PAD]

    def as_tuples(self):
        """``(x_train, t_train), (x_test, t_test)``, as the book's ``load_data``."""
        return (self.x_train, self.t_train), (self.x_test, self.t_test)

    def encode(self, strings, length=None):
        """Ids of ``strings``: a str gives ``(len,)``, a list of n str gives
        ``(n, len)`` (int64). With ``length``, each string is first padded on
        the right with spaces to that length; without, the strings must have
        equal lengths. Not reversed: see ``encode_questions``.

        Raises UnknownCharacterError (a ValueError and a KeyError) naming
        every character not in the vocabulary.
        """
        single = isinstance(strings, str)
        items = [strings] if single else list(strings)
        if length is not None:
            too_long = [s for s in items if len(s) > length]
            if too_long:
                raise ValueError(f"{too_long[0]!r} has {len(too_long[0])} characters, "
                                 f"more than length={length}")
            items = [s.ljust(length, PAD) for s in items]
        elif len({len(s) for s in items}) > 1:
            raise ValueError(f"strings of different lengths "
                             f"{sorted({len(s) for s in items})}; pass length=N to "
                             f"pad them on the right with spaces")
        ids = _to_ids(items, self.char_to_id)
        return ids[0] if single else ids

    def encode_questions(self, strings):
        """Questions as the model sees them: padded to ``question_length`` and
        reversed when ``reverse``. ``(question_length,)`` for a str, else
        ``(n, question_length)``."""
        ids = self.encode(strings, length=self.question_length)
        return np.ascontiguousarray(ids[..., ::-1]) if self.reverse else ids

    def decode(self, ids):
        """Text of ``ids``: ``(T,)`` ints give a str, ``(n, T)`` a list of str.
        Ids are read in the order given (reversed questions come out reversed:
        ``decode(x[::-1])`` undoes it)."""
        ids = np.asarray(ids)
        if ids.ndim == 2:
            return [self.decode(row) for row in ids]
        if ids.ndim != 1:
            raise ValueError(f"decode takes (T,) or (n, T) ids, got shape {ids.shape}")
        try:
            return "".join(self.id_to_char[int(i)] for i in ids)
        except KeyError:
            bad = sorted({int(i) for i in ids if int(i) not in self.id_to_char})
            raise ValueError(f"ids {bad} are not in the vocabulary "
                             f"(ids 0..{self.vocab_size - 1})") from None


def _to_ids(strings, char_to_id):
    """``(len(strings), width)`` int64 ids of equal-length strings (callers
    check the lengths, with messages of their own)."""
    if not strings:
        return np.zeros((0, 0), dtype=ID_DTYPE)
    width = len(strings[0])
    codes = np.frombuffer("".join(strings).encode("utf-32-le", "surrogatepass"), dtype="<u4")
    known = np.array([ord(c) for c in char_to_id], dtype=np.int64)
    size = int(max(known.max(initial=0), codes.max(initial=0))) + 1
    table = np.full(size, -1, dtype=ID_DTYPE)
    table[known] = list(char_to_id.values())
    ids = table[codes]
    if (ids < 0).any():
        unknown = "".join(dict.fromkeys(chr(c) for c in codes[ids < 0]))
        raise UnknownCharacterError(
            f"characters not in the vocabulary: {', '.join(map(repr, unknown))}; "
            f"the vocabulary has {len(char_to_id)}: {''.join(char_to_id)!r}",
            unknown)
    return ids.reshape(len(strings), width)


def book_split_indices(n, seed=BOOK_SPLIT_SEED, test_ratio=0.1):
    """Row indices ``(train, test)`` of the book's split of ``n`` rows.

    Shuffles ``arange(n)`` like ``np.random.seed(seed); np.random.shuffle``
    but on a private legacy ``RandomState`` (seed None: fresh entropy), then
    takes the last ``floor(n * test_ratio)`` as test (``n // 10`` for 0.1).
    """
    if not 0 <= test_ratio < 1:
        raise ValueError(f"test_ratio must be in [0, 1), got {test_ratio}")
    indices, _ = _book_shuffle(n, seed)
    n_test = int(n * fractions.Fraction(test_ratio).limit_denominator(10 ** 6))
    split_at = n - n_test
    return indices[:split_at], indices[split_at:]


def book_random_state(n, seed=BOOK_SPLIT_SEED):
    """NumPy's global generator as the book's ``load_data`` leaves it after
    splitting ``n`` rows (seeded 1984, one shuffle drawn). The book's scripts
    draw their initial weights and epoch shuffles from it next, so installing
    it with ``autograd_nlp.random.set_generator`` replays their numbers."""
    return _book_shuffle(n, seed)[1]


def _book_shuffle(n, seed):
    indices = np.arange(n)
    rng = np.random.RandomState(seed)
    rng.shuffle(indices)
    return indices, rng


def seq_dataset_from_lines(lines, seed=BOOK_SPLIT_SEED, test_ratio=0.1,
                           reverse=False, source="<lines>", alphabet=None):
    """A ``SeqDataset`` from ``question_answer`` lines (trailing newlines are
    dropped), with the book's split, and the book's vocabulary order (first
    appearance) or, given ``alphabet`` (a str holding every character of the
    lines), ids in the order of ``alphabet``."""
    questions, answers = [], []
    for number, line in enumerate(lines, start=1):
        try:
            question, answer = split_line(line)
        except ValueError as err:
            raise ValueError(f"{source}, line {number}: {err}") from None
        questions.append(question)
        answers.append(answer)
    if not questions:
        raise ValueError(f"{source} has no lines")
    for what, texts in (("question", questions), ("answer", answers)):
        width = len(texts[0])
        for number, text in enumerate(texts, start=1):
            if len(text) != width:
                raise ValueError(f"{source}, line {number}: {what} {text!r} has "
                                 f"{len(text)} characters but line 1's has {width}; "
                                 f"every line must pad its {what} to one width")
    # first appearance, scanning line 1's question, line 1's answer, line 2's ...
    chars = dict.fromkeys("".join(q + a for q, a in zip(questions, answers)))
    if alphabet is not None:
        missing = "".join(c for c in chars if c not in alphabet)
        if missing:
            raise ValueError(f"{source}: characters {missing!r} are not in the alphabet")
        chars = dict.fromkeys(alphabet)
    char_to_id = {c: i for i, c in enumerate(chars)}
    id_to_char = {i: c for c, i in char_to_id.items()}
    x = _to_ids(questions, char_to_id)
    t = _to_ids(answers, char_to_id)
    train, test = book_split_indices(len(x), seed, test_ratio)
    x_train, x_test = x[train], x[test]
    if reverse:
        x_train = np.ascontiguousarray(x_train[:, ::-1])
        x_test = np.ascontiguousarray(x_test[:, ::-1])
    return SeqDataset(x_train, t[train], x_test, t[test], char_to_id, id_to_char,
                      reverse=reverse, source=str(source))


def find_seq_file(name_or_path, data_dir=None):
    """Path of a seq dataset. ``'addition'`` / ``'date'`` (or their file names)
    are looked up as DIR/seq/addition.txt, then DIR/addition.txt, DIR being
    ``data_dir`` or else ``$AUTOGRAD_NLP_DATA`` (the rule of every loader, see
    ``autograd_nlp.data.paths``); anything else is the path of a file.

    Raises DatasetNotFoundError (a FileNotFoundError) saying where to put the
    file and how to generate the data instead.
    """
    name = os.fspath(name_or_path)
    if name not in SEQ_FILES and os.path.isfile(name):
        return name
    file_name = SEQ_FILES.get(name, name)
    if file_name not in SEQ_FILES.values():
        raise DatasetNotFoundError(
            f"no file {name!r}: pass 'addition', 'date' or the path of an existing "
            f"question_answer file")
    dataset = file_name[:-len(".txt")]
    module = "generate_addition" if dataset == "addition" else "generate_dates"
    hint = (f"{file_name} is the book's dataset/{file_name} "
            f"(deep-learning-from-scratch-2). Or generate the data: "
            f"make_seq_dataset({dataset!r}) builds it in memory, and "
            f"`python -m autograd_nlp.data.{module} DIR/seq/{file_name}` writes the file.")
    cli_hint = (f"{file_name} is the book's dataset/{file_name} (deep-learning-from-scratch-2); "
                f"or leave out --data-dir (and {DATA_ENV}) to have the data generated")
    found = resolve_data_dir(data_dir, "seq", [file_name], hint=hint, cli_hint=cli_hint)
    if found is None:
        raise DatasetNotFoundError(missing_files_message(
            [file_name], "seq",
            f"any directory (neither data_dir nor ${DATA_ENV} is set)", hint))
    return os.path.join(found, file_name)


def load_seq_dataset(name_or_path, data_dir=None, seed=BOOK_SPLIT_SEED,
                     test_ratio=0.1, reverse=False):
    """Load ``'addition'``, ``'date'`` or a ``question_answer`` file and split
    it as the book does (45,000 train / 5,000 test rows for the book's files).

    seed: the split's legacy-NumPy seed (1984, the book's; None: random)
    reverse: reverse each question in time (``x[:, ::-1]``), as the book's
        "reversed input" experiment
    """
    path = find_seq_file(name_or_path, data_dir)
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    while lines and lines[-1] == "":
        lines.pop()
    return seq_dataset_from_lines(lines, seed, test_ratio, reverse, source=path)


def make_seq_dataset(name, n=50_000, seed=0, split_seed=BOOK_SPLIT_SEED,
                     test_ratio=0.1, reverse=False, **generator_options):
    """Generate ``'addition'`` or ``'date'`` in memory (``n`` lines from
    ``seed``) and split and encode it like ``load_seq_dataset``: no files
    needed. ``generator_options`` go to ``generate_addition`` (``max_digits``,
    ``unique``) or, for dates, ``generate_written_dates`` (``start_year``,
    ``end_year``, ``order``; the vocabulary is all printable ASCII, so any
    question a person types can be encoded) -- or, given ``families``, the
    fixed forms of ``generate_dates`` with the book's vocabulary order."""
    if name not in _GENERATORS:
        raise ValueError(f"unknown seq dataset {name!r}; choose from {sorted(_GENERATORS)}")
    alphabet = None
    if name == "date" and "families" not in generator_options:
        generator, alphabet = generate_written_dates, ALPHABET
    else:
        generator = _GENERATORS[name]
    lines = generator(n, seed=seed, **generator_options)
    return seq_dataset_from_lines(lines, split_seed, test_ratio, reverse,
                                  source=f"generated {name} (n={n}, seed={seed})",
                                  alphabet=alphabet)
