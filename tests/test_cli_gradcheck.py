"""``autograd-nlp gradcheck``: --all covers every public op, second order
(upstream gradient included) for the twice-differentiable ones."""
import inspect

import autograd_nlp.functions as F
from autograd_nlp.cli import main
from autograd_nlp.functions.activation import SigmoidGrad
from autograd_nlp.functions.registry import COMPOSITIONS, NOT_OPS, all_ops


def _rows(out):
    """(check, parameter, result) of every table row."""
    rows = []
    for line in out.splitlines():
        parts = line.split()
        if parts and parts[-1] in ("pass", "FAIL") and "[" in parts[0]:
            check = " ".join(parts[:2]) if parts[1] == "2nd" else parts[0]
            parameter = parts[2] if parts[1] == "2nd" else parts[1]
            rows.append((check, parameter, parts[-1]))
    return rows


def test_gradcheck_all_covers_every_public_op_to_second_order(capsys):
    assert main(["gradcheck", "--all", "--samples", "2"]) == 0
    out = capsys.readouterr().out
    rows = _rows(out)
    assert rows and all(result == "pass" for _, _, result in rows)
    first = {check.split("[")[0] for check, _, _ in rows if not check.endswith(" 2nd")}
    public = {name for name, value in vars(F).items() if not name.startswith("_")
              and callable(value) and not inspect.ismodule(value)}
    assert public - set(COMPOSITIONS) - set(NOT_OPS) <= first
    second = {(check, parameter) for check, parameter, _ in rows if check.endswith(" 2nd")}
    for name, spec in all_ops().items():
        for label in spec.cases:
            has_second = (f"{name}[{label}] 2nd", "upstream0") in second
            assert has_second == spec.twice_differentiable, f"{name}[{label}]"
    first_only = sorted(name for name, spec in all_ops().items()
                        if not spec.twice_differentiable)
    assert {"lstm_sequence", "lstm_step"} <= set(first_only)
    assert f"first order only (fused, not twice differentiable): {', '.join(first_only)}" \
        in out


def test_gradcheck_fails_on_a_wrong_upstream_term(capsys, monkeypatch):
    right = SigmoidGrad.backward

    def wrong(self, ggx):
        gx, ggy = right(self, ggx)
        return gx, ggy * 1.5

    monkeypatch.setattr(SigmoidGrad, "backward", wrong)
    assert main(["gradcheck", "sigmoid"]) == 1
    rows = _rows(capsys.readouterr().out)
    assert ("sigmoid[matrix] 2nd", "upstream0", "FAIL") in rows
    assert ("sigmoid[matrix]", "input0", "pass") in rows
