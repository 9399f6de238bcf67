"""Word vectors: chapter 3's full-softmax CBOW / skip-gram on a toy sentence
(``train simple-cbow|simple-skipgram``), chapter 4's word2vec with negative
sampling on PTB (``train cbow|skipgram``; CBOW's training recipe ``fast``
or ``book``, ``RECIPES``, fills the options left unset) and chapter 2's
PPMI + SVD vectors (``train count-svd``).

    from autograd_nlp.recipes import word_vectors
    result = word_vectors.run(word_vectors.CbowConfig(epochs=1, recipe="book"))
    result.paths["vectors"], result.model.word_vectors      # (V, hidden)
    autograd_nlp.load(result.paths["vectors"]).most_similar("you")
"""
import dataclasses
import os
import time
from typing import ClassVar

from autograd_nlp import optim
from autograd_nlp.data import create_contexts_target, preprocess
from autograd_nlp.errors import UserError
from autograd_nlp.recipes import checks
from autograd_nlp.recipes.config import (Config, ConfigError, TrainingConfig,
                                         distributed_option, early_stop_option, option,
                                         variant)
from autograd_nlp.recipes.result import Callbacks, Result
from autograd_nlp.recipes.runtime import distributed_comm, load_ptb_announced, seed_everything
from autograd_nlp.recipes.settings import ptb_identity, resolve, vocab_hash
from autograd_nlp.text import WordVectors, count_svd_vectors
from autograd_nlp.text.cbow_epochs import CbowEpochs
from autograd_nlp.text.neighbours import show_neighbours
from autograd_nlp.training import MinibatchTrainer, ResampledMinibatchTrainer, save_curves
from autograd_nlp.training.vectors_output import (run_folder_and_vectors_on_root,
                                                  vectors_only_folder)
from autograd_nlp.training.word2vec import validation_evaluator

TOY_TEXT = "You say goodbye and I say hello."

# ``train cbow --recipe``: the values the options left unset take
RECIPES = {
    "fast": {"batch_size": 4000, "optimizer": "sgd", "lr": 60.0, "lr_decay": "linear",
             "subsample": 1e-3, "windows": "reduced", "context": "sum"},
    "book": {"batch_size": 100, "optimizer": "adam", "lr": 0.001, "lr_decay": "none",
             "subsample": 0.0, "windows": "full", "context": "mean"},
}
OPTIMIZERS = {"sgd": "SGD", "adam": "Adam"}


def sentence(value):
    """``--text``: a string (the book's ``preprocess`` splits it into words)."""
    if not isinstance(value, str):
        raise ValueError("must be a string")
    return value


# --- chapter 3: full softmax on a toy sentence ---------------------------------------------

@dataclasses.dataclass
class SimpleCbowConfig(Config):
    """``train simple-cbow``: chapter 3's CBOW (a full softmax over the
    vocabulary) on the book's toy sentence; prints the learned vectors."""
    model: ClassVar[str] = "simple-cbow"
    text: str = option(TOY_TEXT, "the sentence to learn from", sentence)
    epochs: int = option(1000, "epochs to train", checks.positive_int)
    hidden: int = option(5, "vector size", checks.positive_int)
    window: int = option(1, "context words on each side", checks.positive_int)
    batch_size: int = option(3, "targets per batch", checks.positive_int)
    lr: float = option(0.001, "Adam learning rate", checks.positive_float)
    seed: int = option(1, "random seed", checks.non_negative_int)

    def check_together(self):
        """The text must hold at least one target with ``window`` words on
        each side."""
        if not isinstance(self.text, str):
            raise ConfigError(f"--text must be a string, got {self.text!r}")
        tokens = len(preprocess(self.text)[0])
        if tokens > 2 * self.window:
            return
        widest = (tokens - 1) // 2
        raise ConfigError(f"--text {self.text!r} has {tokens} word(s) (a period counts as "
                          f"one), too few for --window {self.window}: a target needs "
                          f"{self.window} on each side, so at least {2 * self.window + 1}; "
                          f"give a longer --text"
                          + (f" or --window {widest}" if widest >= 1 else ""))


SimpleSkipGramConfig = variant(SimpleCbowConfig, "SimpleSkipGramConfig",
                               "``train simple-skipgram``: chapter 3's skip-gram (a full "
                               "softmax per context word) on the book's toy sentence.")
SimpleSkipGramConfig.model = "simple-skipgram"


# --- chapter 4: word2vec with negative sampling on PTB --------------------------------------

@dataclasses.dataclass
class Word2vecConfig(TrainingConfig):
    """What ``train cbow`` and ``train skipgram`` share: PTB's train split,
    the window and the vector size (the options of both are completed by the
    mixins below; their order is the order --help lists them in)."""
    model: ClassVar[str] = "word2vec"
    epochs: int = option(10, "epochs to train", checks.positive_int)
    distributed: bool = distributed_option()
    window: int = option(5, "context words on each side", checks.positive_int)
    hidden: int = option(100, "vector size", checks.positive_int)


@dataclasses.dataclass
class NegativeSamplingOptions:
    """The last options of ``train cbow|skipgram``: negatives, where the
    vectors go, early stopping."""
    sample_size: int = option(5, "negatives per positive", checks.positive_int)
    vectors: str = option(None, "where to write the vectors (default: OUT/vectors.npz; an "
                                "--out X.npz names the vectors file itself and puts the "
                                "run's other files in the folder X)", setting=False)
    early_stop: int = early_stop_option("validation loss (PTB's valid split, measured after "
                                        "each epoch only with this option)")


@dataclasses.dataclass
class AdamOptions:
    """Skip-gram's batches and optimizer (the book's)."""
    batch_size: int = option(100, "targets per batch", checks.positive_int)
    lr: float = option(0.001, "Adam learning rate", checks.positive_float)


def _both(key):
    """The --help default of a CBOW option the recipe fills in."""
    return f"{RECIPES['fast'][key]}; with --recipe book: {RECIPES['book'][key]}"


@dataclasses.dataclass
class CbowRecipeOptions:
    """CBOW's training recipe: a preset (``RECIPES``), and the options it
    fills in when they are left unset (None)."""
    recipe: str = option("fast", "fast: word2vec's own recipe in large batches (SGD with the "
                                 "lr decaying linearly to 0, sub-sampling of frequent words, "
                                 "reduced windows, the sum of the context vectors), a whole "
                                 "epoch's contexts and negatives drawn at once; book: the "
                                 "book's batch 100 and constant Adam lr 0.001 on the mean of "
                                 "every full window. The options below override either",
                         choices=tuple(sorted(RECIPES)))
    batch_size: int = option(None, "targets per batch", checks.positive_int,
                             none_help=_both("batch_size"))
    optimizer: str = option(None, "sgd or adam", choices=tuple(sorted(OPTIMIZERS)),
                            none_help=_both("optimizer"))
    lr: float = option(None, "learning rate (of the first step under a decay) on the "
                             "batch's mean loss, so with SGD lr / batch-size is the step per "
                             "target: 25 / 1000 would be word2vec's alpha 0.025",
                       checks.positive_float, none_help=_both("lr"))
    lr_decay: str = option(None, "linear: lr falls to 0 over the run, as in word2vec",
                           choices=("linear", "none"), none_help=_both("lr_decay"))
    subsample: float = option(None, "drop each occurrence of a word of frequency f with "
                                    "probability 1 - (sqrt(f/T) + 1) T/f, anew each epoch; 0 "
                                    "keeps every word", checks.non_negative_float,
                              metavar="T", none_help=_both("subsample"))
    windows: str = option(None, "reduced: each target uses only its contexts within a "
                                "window of b words, b drawn from 1..--window (word2vec); "
                                "full: all 2 x --window contexts", choices=("reduced", "full"),
                          none_help=_both("windows"))
    context: str = option(None, "the hidden vector: the mean of the context vectors (the "
                                "book) or their sum (word2vec's cbow_mean=0)",
                          choices=("mean", "sum"), none_help=_both("context"))


# the bases are listed last-first: dataclasses put the fields of the last base first
@dataclasses.dataclass
class CbowConfig(NegativeSamplingOptions, CbowRecipeOptions, Word2vecConfig):
    """``train cbow``: word2vec's CBOW with negative sampling on PTB; the
    options left unset (None) take ``recipe``'s values (``RECIPES``)."""
    model: ClassVar[str] = "cbow"
    out: str = option(os.path.join("runs", "cbow"), "output folder", setting=False)


@dataclasses.dataclass
class SkipGramConfig(NegativeSamplingOptions, AdamOptions, Word2vecConfig):
    """``train skipgram``: word2vec's skip-gram with negative sampling on
    PTB, the book's batches and Adam."""
    model: ClassVar[str] = "skipgram"
    out: str = option(os.path.join("runs", "skipgram"), "output folder", setting=False)


# --- chapter 2: counts, PPMI, SVD ------------------------------------------------------------

@dataclasses.dataclass
class CountSvdConfig(Config):
    """``train count-svd``: PPMI + SVD word vectors of PTB (chapter 2)."""
    model: ClassVar[str] = "count-svd"
    data_dir: str = option(None, "dataset directory (default: $AUTOGRAD_NLP_DATA)",
                           setting=False)
    window: int = option(2, "context words on each side", checks.positive_int)
    hidden: int = option(100, "vector size", checks.positive_int)
    out: str = option(os.path.join("runs", "count-svd"), "output folder, or the vectors "
                                                         "file if it ends in .npz",
                      setting=False)
    overwrite: bool = option(False, "replace an earlier run's vectors file (without it, a "
                                    "folder holding an earlier run is refused: continue "
                                    "that run with --resume, or pick another --out)",
                             setting=False)
    vectors: str = option(None, "where to write the vectors (default: OUT/vectors.npz)",
                          setting=False)
    seed: int = option(0, "random seed of the randomized SVD", checks.non_negative_int)


CONFIGS = {"simple-cbow": SimpleCbowConfig, "simple-skipgram": SimpleSkipGramConfig,
           "cbow": CbowConfig, "skipgram": SkipGramConfig, "count-svd": CountSvdConfig}


# --- the settings in use ---------------------------------------------------------------------

def filled_by_recipe(config):
    """{option: value} that ``config.recipe`` gives the CBOW options left
    unset (None)."""
    return {key: value for key, value in RECIPES[config.recipe].items()
            if getattr(config, key) is None}


def apply_recipe(config):
    """``config`` (a CbowConfig) with the options left unset taken from its
    recipe; the given ones are kept."""
    filled = filled_by_recipe(config)
    if not filled:
        return config
    return dataclasses.replace(config, **filled).mark_given(config.given())


def prepare(config):
    """The settings in use: the resumed checkpoint's for the fields not
    given (a word2vec run), then CBOW's recipe for those still unset, then
    the rules between fields."""
    if isinstance(config, Word2vecConfig):
        config = resolve(config)
    if isinstance(config, CbowConfig):
        config = apply_recipe(config)
    config.check_together()
    return config


# --- training ----------------------------------------------------------------------------------

def run(config, *, progress=True, callbacks=None):
    """Train the word vectors ``config`` describes (any of ``CONFIGS``'
    classes). Returns a Result: ``model`` (the word2vec Module; for
    count-svd, the WordVectors), ``metrics`` (the last epoch's loss...),
    ``paths`` ("vectors", and for word2vec "checkpoint", "curve")."""
    callbacks = callbacks or Callbacks()
    config = prepare(config)
    if isinstance(config, SimpleCbowConfig):
        return run_simple(config)
    if isinstance(config, CountSvdConfig):
        return run_count_svd(config)
    return run_word2vec(config, progress and not config.quiet, callbacks)


def run_simple(config):
    """Chapter 3: full-softmax CBOW / skip-gram on ``config.text``, every
    epoch one pass over its targets; prints the loss and the learned vectors."""
    import numpy as np

    from autograd_nlp.models.word2vec import SimpleCBOW, SimpleSkipGram
    seed_everything(config.seed)
    corpus, word_to_id, id_to_word = preprocess(config.text)
    contexts, target = create_contexts_target(corpus, config.window)
    model_class = SimpleCBOW if config.model == "simple-cbow" else SimpleSkipGram
    model = model_class(len(word_to_id), config.hidden)
    trainer = MinibatchTrainer(model, optim.Adam(model.params(), lr=config.lr),
                               config.batch_size, progress=False, log=lambda *a: None)
    history = trainer.fit((contexts, target), config.epochs)
    print(f"{config.model} on {config.text!r}: {len(word_to_id)} words, {len(target)} "
          f"targets, loss {history['loss'][0]:.3f} -> {history['loss'][-1]:.3f} "
          f"after {config.epochs} epochs")
    print("learned word vectors (rows of the input weights):")
    with np.printoptions(precision=3, suppress=True):
        for i in range(len(word_to_id)):
            print(f"  {id_to_word[i]:8} {model.in_embed.W.data[i]}")
    return Result(model, history, {"loss": history["loss"][-1]}, {}, config, trainer)


def run_count_svd(config):
    """Chapter 2: co-occurrence counts of PTB's train split, PPMI, a
    randomized SVD to ``config.hidden`` dimensions; writes the vectors."""
    _, path = vectors_only_folder(config)
    corpus, word_to_id, id_to_word = load_ptb_announced("train", config.data_dir)
    start = time.perf_counter()
    matrix = count_svd_vectors(corpus, len(word_to_id), window_size=config.window,
                               dim=config.hidden, seed=config.seed)
    print(f"co-occurrence (window {config.window}) -> PPMI -> SVD ({config.hidden} dims) in "
          f"{time.perf_counter() - start:.1f} s")
    vectors = WordVectors.from_vocab(id_to_word, matrix)
    vectors.save(path)
    show_neighbours(vectors)
    print(f"vectors: {path}")
    return Result(vectors, {}, {}, {"vectors": path}, config)


def build_word2vec(config, corpus, vocab_size):
    """The CBOW or SkipGram of ``config`` over ``corpus`` (its unigram
    counts draw the negatives) and its constructor's keyword arguments."""
    from autograd_nlp.models.word2vec import CBOW, SkipGram
    kwargs = {"vocab_size": vocab_size, "hidden_size": config.hidden,
              "sample_size": config.sample_size}
    if config.model == "cbow":
        kwargs["context"] = config.context
    model = (CBOW if config.model == "cbow" else SkipGram)(corpus=corpus, **kwargs)
    return model, kwargs


def cbow_trainer(config, model, optimizer, corpus, loop):
    """CBOW's loop: every epoch drawn anew at once (sub-sampled corpus,
    reduced windows, negatives; ``CbowEpochs``), the lr decaying linearly
    with ``lr_decay`` "linear". Returns (trainer, targets per epoch, the
    header's recipe note)."""
    epochs = CbowEpochs(corpus, config.window, model.sampler, config.subsample,
                        reduced_windows=config.windows == "reduced", context=config.context)
    if epochs.examples_per_epoch < config.batch_size:
        raise UserError(f"train cbow: an epoch has about {epochs.examples_per_epoch:,} "
                        f"targets (after sub-sampling {config.subsample:g}), fewer than one "
                        f"batch of {config.batch_size}; use a smaller --batch-size or "
                        f"--subsample 0 (--recipe book)")
    trainer = ResampledMinibatchTrainer(model, optimizer, epochs, epochs.examples_per_epoch,
                                        config.batch_size, **loop)
    if config.lr_decay == "linear":
        optim.LinearDecay(optimizer, config.lr,
                          config.epochs * trainer.iterations_per_epoch())
    note = (f" ({config.recipe} recipe: lr decay {config.lr_decay}, sub-sampling "
            f"{config.subsample:g}, {config.windows} windows, {config.context} of the "
            f"contexts)")
    return trainer, epochs.examples_per_epoch, note


def run_word2vec(config, progress, callbacks):
    """Chapter 4: CBOW or skip-gram with negative sampling on PTB's train
    split (over MPI ranks with ``distributed``), early stopping on the valid
    split's loss with ``early_stop``; writes the checkpoint, the vectors and
    the loss curve, and shows a few neighbours."""
    comm = distributed_comm(config)           # None without --distributed
    seed_everything(config.seed)
    out, path = run_folder_and_vectors_on_root(config, comm)
    corpus, word_to_id, id_to_word = load_ptb_announced("train", config.data_dir)
    model, kwargs = build_word2vec(config, corpus, len(word_to_id))
    model.to(config.device)
    checkpoint = os.path.join(out, "checkpoint.npz")
    vocab = [id_to_word[i] for i in range(len(id_to_word))]
    meta = {"kind": config.model, "model": config.model, "window": config.window,
            "model_kwargs": kwargs, "vocab_hash": vocab_hash(vocab),
            "data": ptb_identity(config.data_dir, corpus), "settings": config.settings()}
    evaluate = None
    if config.early_stop is not None:
        valid = load_ptb_announced("valid", config.data_dir)[0]
        evaluate = validation_evaluator(model, valid, config.window, config.batch_size)
    optimizer = getattr(optim, OPTIMIZERS[getattr(config, "optimizer", "adam")])(
        model.params(), lr=config.lr)
    loop = dict(checkpoint_path=checkpoint, checkpoint_every=config.checkpoint_every,
                meta=meta, progress=progress, curve_every=200, unit="targets",
                checkpoint_seconds=60 * config.checkpoint_minutes,
                early_stop=config.early_stop, monitor="valid loss" if evaluate else None,
                higher_is_better=False, comm=comm, epoch_callback=callbacks.on_epoch)
    if config.model == "cbow":
        trainer, targets, note = cbow_trainer(config, model, optimizer, corpus, loop)
        data = ()
    else:
        contexts, target = create_contexts_target(corpus, config.window)
        trainer = MinibatchTrainer(model, optimizer, config.batch_size, **loop)
        data, targets, note = ((contexts, target),), len(target), ""
    if config.resume:
        trainer.resume(config.resume)
    if comm is not None:        # every rank starts from rank 0's model, optimizer and RNG
        from autograd_nlp import distributed
        distributed.synchronize(model, optimizer, comm)
    print(f"{config.model}: vocab {len(word_to_id):,}, hidden {config.hidden}, window "
          f"{config.window}, {targets:,} targets per epoch, batch {config.batch_size}, "
          f"{config.sample_size} negatives, {type(optimizer).__name__} lr "
          f"{trainer.optimizer.lr:g}, epochs {config.epochs}{note}", flush=True)
    print(f"run folder: {out}", flush=True)
    start = time.perf_counter()
    history = trainer.fit(*data, config.epochs, evaluate=evaluate)
    print(f"trained in {time.perf_counter() - start:.0f} s (this session)")
    vectors = WordVectors.from_vocab(id_to_word, model.word_vectors)
    paths = {"checkpoint": checkpoint}
    if comm is None or comm.is_root:        # rank 0 alone writes
        vectors.save(path)
        paths["vectors"] = path
        paths["curve"] = save_curves(os.path.join(out, "loss.png"),
                                     {config.model: (history["curve_iteration"],
                                                     history["curve_loss"])},
                                     "iteration", "loss", title=f"{config.model} on PTB")
    show_neighbours(vectors)
    print(f"vectors: {path}\nrun folder: {out} (checkpoint.npz"
          + (", loss.png)" if paths.get("curve") else ")"))
    metrics = {"loss": history["loss"][-1]} if history["loss"] else {}
    if history["metrics"]:
        metrics.update(history["metrics"][-1])
    return Result(model, history, metrics, {k: v for k, v in paths.items() if v}, config,
                  trainer)
