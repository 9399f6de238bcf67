"""Training loops, checkpoints, progress and plots."""
from autograd_nlp.training.checkpoint import load_checkpoint, restore, save_checkpoint  # noqa: F401
from autograd_nlp.training.errors import (CheckpointMismatchError,  # noqa: F401
                                          NonFiniteLossError, TooLittleDataError,
                                          TrainingError)
from autograd_nlp.training.language_model import (LanguageModelTrainer,  # noqa: F401
                                                  evaluate_perplexity,
                                                  iterations_per_epoch, lm_batch,
                                                  perplexity)
from autograd_nlp.training.minibatch import (MinibatchTrainer,  # noqa: F401
                                             ResampledMinibatchTrainer)
from autograd_nlp.training.progress import (Progress, format_duration,  # noqa: F401
                                            format_metric)
from autograd_nlp.training.run_check import compare_runs, fingerprint  # noqa: F401
from autograd_nlp.training.trainer import CHECKPOINT_SECONDS, Trainer  # noqa: F401
from autograd_nlp.training.plot import save_curves, save_heatmaps  # noqa: F401
from autograd_nlp.training.seq2seq import seq2seq_accuracy  # noqa: F401
