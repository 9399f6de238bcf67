"""BERT's pre-training examples from PTB: sentence pairs for next-sentence
prediction (NSP) and masked tokens for the masked language model (MLM).

PTB has one sentence per line, so ``load_ptb``'s ids split at ``<eos>`` give
the sentences in order. Each sentence i (but the last) starts one pair
``[CLS] A [SEP] B [SEP]``: for exactly half of the pairs (drawn at random) B
is sentence i + 1 (``is_next`` 1), for the others a random sentence that is
neither i nor i + 1 (``is_next`` 0). Then 15 % of each pair's word tokens are
chosen (at least one); of those 80 % become [MASK], 10 % a random word and
10 % stay as they are. The targets hold the original id at the chosen
positions and ``IGNORE`` everywhere else, so the loss counts only those.
Everything is drawn from one ``numpy.random.Generator``: the same seed gives
the same examples. Plain NumPy: nothing here imports the autodiff engine.
"""
import numpy as np

SPECIAL_TOKENS = ("[PAD]", "[CLS]", "[SEP]", "[MASK]")
IGNORE = -1          # target of a position the MLM loss skips


class BertVocabulary:
    """PTB's words (ids 0..V-1, unchanged) followed by the four special
    tokens: ``pad_id`` = V, ``cls_id`` = V + 1, ``sep_id``, ``mask_id``.
    ``words`` lists all V + 4 in id order; ``num_words`` is V (the ids a
    random replacement is drawn from)."""

    def __init__(self, words):
        clash = sorted(set(SPECIAL_TOKENS) & set(words))
        if clash:
            raise ValueError(f"BertVocabulary: the corpus already uses {clash}, which "
                             f"are BERT's special tokens; rename them in the data")
        self.num_words = len(words)
        self.words = list(words) + list(SPECIAL_TOKENS)
        self.pad_id, self.cls_id, self.sep_id, self.mask_id = range(len(words),
                                                                    len(words) + 4)

    def __len__(self):
        return len(self.words)


def split_sentences(corpus, eos_id):
    """ids (n,) with ``eos_id`` at every line end -> the lines' ids (without
    ``<eos>``), empty lines dropped."""
    corpus = np.asarray(corpus)
    ends = np.flatnonzero(corpus == eos_id)
    starts = np.concatenate([[0], ends + 1])
    ends = np.concatenate([ends, [len(corpus)]])
    return [corpus[s:e] for s, e in zip(starts, ends) if e > s]


def choose_pairs(num_sentences, rng):
    """(first, second, is_next), each (num_sentences - 1,) int: pair i
    starts with sentence i; exactly half (rounded down) of the pairs, drawn
    at random, continue with i + 1, the others with a random sentence other
    than i and i + 1."""
    if num_sentences < 4:
        raise ValueError(f"choose_pairs: next-sentence pairs need at least 4 sentences "
                         f"(a random second sentence must differ from the first and its "
                         f"successor), got {num_sentences}")
    count = num_sentences - 1
    first = np.arange(count)
    is_next = (rng.permutation(count) < count // 2).astype(np.int64)
    # a random sentence other than i and i + 1: draw from the n - 2 others
    other = rng.integers(0, num_sentences - 2, size=count)
    other = np.where(other >= first, other + 2, other)
    second = np.where(is_next == 1, first + 1, other)
    return first, second, is_next


def encode_pair(a, b, vocab, max_length):
    """``[CLS] a [SEP] b [SEP]`` as ids and segments (0 for [CLS] a [SEP],
    1 for b [SEP]), both (length,); the longer sentence loses its last words
    until the pair fits ``max_length`` (BERT's truncation). ``b`` None: a
    single sentence ``[CLS] a [SEP]``."""
    a = list(a)
    b = None if b is None else list(b)
    room = max_length - (2 if b is None else 3)
    if room < 2:
        raise ValueError(f"encode_pair: max_length={max_length} leaves no room for words "
                         f"beside [CLS] and [SEP]; use at least 5")
    while len(a) + len(b or ()) > room:
        longer = a if b is None or len(a) >= len(b) else b
        longer.pop()
    ids = [vocab.cls_id] + a + [vocab.sep_id]
    segments = [0] * len(ids)
    if b is not None:
        ids += b + [vocab.sep_id]
        segments += [1] * (len(b) + 1)
    return np.array(ids, dtype=np.int64), np.array(segments, dtype=np.int64)


def pad_rows(rows, length, value):
    """Rows of different lengths -> (len(rows), length) int64 padded with ``value``."""
    out = np.full((len(rows), length), value, dtype=np.int64)
    for i, row in enumerate(rows):
        out[i, :len(row)] = row
    return out


def mask_tokens(tokens, vocab, rng, mask_rate=0.15):
    """tokens (batch, S) -> (inputs, targets), both (batch, S): in each row
    ``max(1, round(mask_rate * words))`` word positions are chosen; a chosen
    position becomes [MASK] (80 %), a random word (10 %) or stays (10 %),
    and its target is the original id; every other target is ``IGNORE``.
    Special tokens are never chosen."""
    inputs, targets = tokens.copy(), np.full_like(tokens, IGNORE)
    for row in range(len(tokens)):
        words = np.flatnonzero(tokens[row] < vocab.num_words)
        if len(words) == 0:
            continue
        chosen = rng.choice(words, size=max(1, int(round(mask_rate * len(words)))),
                            replace=False)
        targets[row, chosen] = tokens[row, chosen]
        fate = rng.random(len(chosen))
        inputs[row, chosen[fate < 0.8]] = vocab.mask_id
        randomised = chosen[(fate >= 0.8) & (fate < 0.9)]
        inputs[row, randomised] = rng.integers(0, vocab.num_words, size=len(randomised))
    return inputs, targets


class PretrainingExamples:
    """The arrays of one split: ``tokens`` (n, max_length) masked input ids
    padded with [PAD], ``segments`` (n, max_length) 0/1, ``targets`` (n,
    max_length) original ids at the chosen positions, ``IGNORE`` elsewhere,
    ``is_next`` (n,) 1 when B follows A in the corpus."""

    def __init__(self, tokens, segments, targets, is_next, pad_id):
        self.tokens, self.segments, self.targets, self.is_next = tokens, segments, targets, is_next
        self.pad_id = pad_id

    def __len__(self):
        return len(self.tokens)

    @property
    def padding_mask(self):
        """(n, max_length) bool, True = padding."""
        return self.tokens == self.pad_id

    def arrays(self):
        return self.tokens, self.segments, self.targets, self.is_next


def make_pretraining_examples(corpus, eos_id, vocab, max_length=64, seed=0, mask_rate=0.15):
    """One PTB split's ids (n,) -> ``PretrainingExamples`` (one pair per
    sentence but the last), the same for the same seed."""
    rng = np.random.default_rng(seed)
    sentences = split_sentences(corpus, eos_id)
    first, second, is_next = choose_pairs(len(sentences), rng)
    pairs = [encode_pair(sentences[i], sentences[j], vocab, max_length)
             for i, j in zip(first, second)]
    tokens = pad_rows([ids for ids, _ in pairs], max_length, vocab.pad_id)
    segments = pad_rows([seg for _, seg in pairs], max_length, 0)
    inputs, targets = mask_tokens(tokens, vocab, rng, mask_rate)
    return PretrainingExamples(inputs, segments, targets, is_next, vocab.pad_id)


def trim_padding(tokens, pad_id, *others):
    """Drop the columns that are padding in every row of ``tokens`` (batch,
    S) (and the same columns of ``others``): attention then costs the
    batch's longest row, not ``max_length``. Returns the trimmed arrays."""
    length = max(int((tokens != pad_id).sum(axis=1).max()), 1) if len(tokens) else 1
    return tuple(a[:, :length] for a in (tokens, *others))


def most_frequent_target_accuracy(targets):
    """MLM's chance level: the accuracy of always answering the most
    frequent original id among the chosen positions (targets != IGNORE)."""
    chosen = targets[targets != IGNORE]
    if chosen.size == 0:
        return float("nan")
    return float(np.bincount(chosen).max() / chosen.size)


def ptb_vocabulary(id_to_word, eos_word="<eos>"):
    """``(BertVocabulary, eos_id)`` of a corpus read by ``load_ptb``: its
    words in id order plus BERT's special tokens, and the id of the line end
    its sentences are split at. ValueError (to show as it is) when the corpus
    has no line ends or already uses a special token."""
    words = [id_to_word[i] for i in range(len(id_to_word))]
    if eos_word not in words:
        raise ValueError(f"the PTB files have no line ends ({eos_word}), so they cannot be "
                         f"split into sentences; pass the PTB folder with one sentence per "
                         f"line")
    return BertVocabulary(words), words.index(eos_word)
