"""Layers: Module and the building blocks the chapter models are made of."""
from autograd_nlp.layers.module import Module, ModuleList, Sequential  # noqa: F401
from autograd_nlp.layers.linear import Linear  # noqa: F401
from autograd_nlp.layers.embedding import Embedding  # noqa: F401
from autograd_nlp.layers.dropout import Dropout  # noqa: F401
from autograd_nlp.layers import init  # noqa: F401
from autograd_nlp.layers.recurrent import (GRU, LSTM, RNN, GRUCell, LSTMCell,  # noqa: F401
                                           RNNCell, Bidirectional, Stacked,
                                           recurrent_layers)
from autograd_nlp.layers.attention import Attention, dot_product_attention  # noqa: F401
from autograd_nlp.layers.layer_norm import LayerNorm  # noqa: F401
from autograd_nlp.layers.positional import (LearnedPositionalEmbedding,  # noqa: F401
                                            SinusoidalPositionalEncoding, sinusoidal_table)
from autograd_nlp.layers.feed_forward import FeedForward  # noqa: F401
from autograd_nlp.layers.multi_head_attention import MultiHeadAttention, causal_mask  # noqa: F401
from autograd_nlp.layers.transformer import (DecodingCache, ResidualBlock,  # noqa: F401
                                             TransformerDecoder, TransformerDecoderLayer,
                                             TransformerEncoder, TransformerEncoderLayer)
from autograd_nlp.layers.state import select_state  # noqa: F401
