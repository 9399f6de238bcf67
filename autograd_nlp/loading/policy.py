"""A reinforcement-learning checkpoint (reinforce, a2c) as a ``Policy``:
observations in, actions out, as ``train reinforce|a2c`` acts."""
import numpy as np


class Policy:
    """An agent (``model``: ReinforceAgent or ActorCritic) and its ``meta``.

    ``act(observation)``: the action for one observation (1-D) as an int, or
    for a batch (2-D) as an int array; the most likely action by default,
    sampled from the policy with ``greedy=False`` (``seed`` / ``rng``)."""

    def __init__(self, model, meta=None):
        self.model = model
        self.meta = dict(meta or {})

    def __repr__(self):
        return f"Policy({self.meta.get('kind', type(self.model).__name__)})"

    def act(self, observation, greedy=True, seed=None, rng=None):
        obs = np.asarray(observation, dtype=np.float32)
        single = obs.ndim == 1
        if rng is None:
            rng = np.random.default_rng(seed)
        actions = self.model.act(obs[None] if single else obs, rng, greedy=greedy)
        return int(actions[0]) if single else np.asarray(actions)


def policy_from_checkpoint(checkpoint, path, params=None, device="cpu"):
    from autograd_nlp.loading.rebuild import rebuild_model
    model = rebuild_model(checkpoint, path, params, device, "load")
    return Policy(model, {**checkpoint["meta"], "kind": checkpoint["kind"]})
