def to_dot(*a, **k): raise NotImplementedError
def render_graph(*a, **k): raise NotImplementedError
