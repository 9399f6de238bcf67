"""Datasets and corpora. Plain NumPy: nothing here imports the autodiff engine.

- :func:`preprocess`: the book's tokenizer for short texts.
- :func:`load_ptb`: Penn Treebank splits as word ids, with the book's vocabulary;
  :func:`ptb_source` the file it reads.
- :func:`describe_corpus`, :func:`check_standard_ptb`: a one-line data summary
  and a warning when PTB is not the standard split.
- :func:`create_contexts_target`: word2vec training pairs.
- :func:`load_seq_dataset`, :func:`make_seq_dataset`: the toy seq2seq sets
  (addition, dates), from the book's files or generated (the generators are
  ``autograd_nlp.data.generate_addition`` and ``generate_dates``).
- :func:`resolve_data_dir`, :func:`cache_root`: where loaders look for files
  (``data_dir`` argument > ``$AUTOGRAD_NLP_DATA``) and where they cache.
"""
from autograd_nlp.data.corpus import preprocess
from autograd_nlp.data.download import DownloadError, download_file
from autograd_nlp.data.paths import (CACHE_ENV, DATA_ENV, DataError, DatasetError,
                                     DatasetNotFoundError, cache_root, resolve_data_dir)
from autograd_nlp.data.ptb import load_ptb, ptb_source
from autograd_nlp.data.summary import CorpusSummary, check_standard_ptb, describe_corpus
from autograd_nlp.data.contexts import create_contexts_target
from autograd_nlp.data.seq import (SeqDataset, UnknownCharacterError, load_seq_dataset,
                                   make_seq_dataset)

__all__ = [
    "preprocess", "load_ptb", "ptb_source", "resolve_data_dir", "cache_root",
    "DatasetError", "DatasetNotFoundError", "DataError",
    "CorpusSummary", "describe_corpus", "check_standard_ptb",
    "DownloadError", "download_file", "DATA_ENV", "CACHE_ENV", "create_contexts_target",
    "SeqDataset", "UnknownCharacterError",
    "load_seq_dataset", "make_seq_dataset",
]
