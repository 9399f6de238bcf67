"""The environments of the policy-gradient agents (``train reinforce|a2c``):
gymnasium's, made by id. gymnasium is optional (``pip install gymnasium``
or ``pip install .[rl]``); without it, or for an unknown id,
``MissingGymnasium`` says what to do."""


class MissingGymnasium(RuntimeError):
    """gymnasium is not installed, or cannot make the environment asked for."""


def make_env(env_id):
    """A gymnasium environment (``gymnasium.make(env_id)``)."""
    try:
        import gymnasium
    except ImportError:
        raise MissingGymnasium("gymnasium is not installed: pip install gymnasium "
                               "(or pip install .[rl])") from None
    try:
        return gymnasium.make(env_id)
    except Exception as e:  # gymnasium raises several kinds for an unknown id
        raise MissingGymnasium(f"gymnasium cannot make {env_id!r}: {e}") from None
