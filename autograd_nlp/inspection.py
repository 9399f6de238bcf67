"""How big is a graph, and are graphs leaking? (``graph_stats``,
``live_function_count``; both re-exported by ``autograd_nlp`` and ``core``.)"""
import gc

import numpy as np

from autograd_nlp.backend import is_device_array

from autograd_nlp.core import Function, walk_graph


def graph_stats(*outputs):
    """Size of the live graph behind ``outputs``: a dict with ``functions``
    (Function nodes reachable), ``bytes`` (array bytes those nodes hold:
    inputs plus any arrays saved for backward) and ``depth`` (longest chain
    of Functions from an output back to a leaf)."""
    funcs = {id(f): f for f in walk_graph(outputs, order="breadth")}
    arrays = {}
    for f in funcs.values():
        for x in f.inputs:
            arrays[id(x.data)] = x.data
        for v in vars(f).values():
            if isinstance(v, np.ndarray) or is_device_array(v):
                arrays[id(v)] = v
    # depth: longest path, processed in decreasing generation (a topological order)
    depth = {}
    for f in sorted(funcs.values(), key=lambda f: -f.generation):
        d = depth.setdefault(id(f), 1)
        for x in f.inputs:
            c = x.creator
            if c is not None and id(c) in funcs and depth.get(id(c), 0) < d + 1:
                depth[id(c)] = d + 1
    return {"functions": len(funcs),
            "bytes": int(sum(a.nbytes for a in arrays.values())),
            "depth": max(depth.values(), default=0)}


def live_function_count(collect=True):
    """Number of Function objects alive in this process (for leak tests:
    truncated BPTT must keep this bounded). ``collect`` first runs the cycle
    collector so that unreachable garbage is not counted. Costs one pass over
    the objects the collector tracks; nothing is added to the hot path."""
    if collect:
        gc.collect()
    return sum(1 for o in gc.get_objects() if issubclass(type(o), Function))
