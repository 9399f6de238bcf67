"""``--params FILE`` of the commands that read a checkpoint."""


def add_params_option(p):
    """``--params FILE``: parameters to use instead of the checkpoint's."""
    p.add_argument("--params", default=None,
                   help="parameters to use instead of the checkpoint's, e.g. the "
                        ".best-params.npz an early-stopped run writes beside it "
                        "(default: the checkpoint's)")
