"""``autograd-nlp gradcheck``: check ops or example models, print a table."""
import numpy as np

import autograd_nlp as ag
from autograd_nlp.models import graph_examples as examples
from autograd_nlp.commands.common import positive_int
from autograd_nlp.errors import UserError
from autograd_nlp.functions.registry import all_ops
from autograd_nlp.gradcheck import _prepare, compare_gradients, compare_second_order


def add_parser(sub):
    p = sub.add_parser("gradcheck", help="compare analytic and numerical gradients")
    p.add_argument("name", nargs="?", help="an op (e.g. tanh) or an example model "
                   f"({', '.join(examples.EXAMPLES)})")
    p.add_argument("--all", action="store_true",
                   help="every registered op: first derivatives, and second derivatives "
                        "(the upstream gradient included) of the twice-differentiable ones")
    p.add_argument("--samples", type=positive_int, default=None,
                   help="check this many random elements per parameter (default: all)")
    p.add_argument("--list", action="store_true", help="list the registered ops")
    p.set_defaults(run=run)


def _op_rows(name, spec, samples):
    """First-order rows for every case of the op, then second-order rows
    (checks named ``op[case] 2nd``: the first gradient differentiated with
    respect to each input and to the upstream gradient) when the op is twice
    differentiable."""
    rows = []
    for label, make in spec.cases.items():
        args, kwargs = make(np.random.default_rng(0))
        call_args, variables = _prepare(args)
        for i, v in enumerate(variables):
            v.name = f"input{i}"
        reports = compare_gradients(lambda: spec(*call_args, **kwargs), variables,
                                    samples=samples, **spec.tolerance)
        rows += [(f"{name}[{label}]", r) for r in reports]
        if spec.twice_differentiable:
            second = compare_second_order(lambda *xs: spec(*xs, **kwargs), call_args,
                                          variables, samples=samples)
            rows += [(f"{name}[{label}] 2nd", r) for r in second]
    return rows


def _model_rows(name, samples):
    with ag.default_dtype(np.float64):
        model, loss_fn, _ = examples.build(name)
    model.astype(np.float64)
    with ag.eval_mode():
        return [(name, r) for r in ag.check_module(model, loss_fn, samples=samples)]


def print_table(rows):
    header = f"{'check':40} {'parameter':14} {'shape':12} {'max abs err':>12} " \
             f"{'max rel err':>12}  result"
    print(header)
    print("-" * len(header))
    for check, r in rows:
        print(f"{check:40} {r.name:14} {str(r.shape):12} {r.max_abs_error:12.3e} "
              f"{r.max_rel_error:12.3e}  {'pass' if r.passed else 'FAIL'}")


def check_names(args, ops):
    """Exactly one of NAME, --all, --list: none would check nothing, and a
    name beside --all or --list would be ignored. An unknown name is refused
    with the choices."""
    chosen = [what for what, given in ((repr(args.name), args.name is not None),
                                       ("--all", args.all), ("--list", args.list)) if given]
    if len(chosen) > 1:
        raise UserError(f"gradcheck: {' and '.join(chosen)} given together, so one would be "
                        f"ignored; pass an op or example name, --all, or --list")
    if not chosen:
        raise UserError(f"gradcheck: nothing to check; pass an op (e.g. tanh; --list shows "
                        f"them), an example model ({', '.join(examples.EXAMPLES)}) or --all")
    if args.name is not None and args.name not in ops and args.name not in examples.EXAMPLES:
        raise UserError(f"gradcheck: unknown op or example {args.name!r}: use --list for the "
                        f"ops, or one of {', '.join(examples.EXAMPLES)}")


def run(args):
    ops = all_ops()
    check_names(args, ops)
    if args.list:
        for name, spec in sorted(ops.items()):
            twice = "twice differentiable" if spec.twice_differentiable else "first order (fused)"
            print(f"{name:24} {len(spec.cases)} cases, {twice}")
        return 0
    checked_ops = []
    if args.all:
        checked_ops = sorted(ops)
    elif args.name in ops:
        checked_ops = [args.name]
    if checked_ops:
        rows = [row for name in checked_ops for row in _op_rows(name, ops[name], args.samples)]
    else:
        rows = _model_rows(args.name, args.samples)
    print_table(rows)
    failed = sum(not r.passed for _, r in rows)
    print(f"\n{len(rows) - failed}/{len(rows)} gradients match (float64, central differences)")
    if checked_ops:
        first_only = [n for n in checked_ops if not ops[n].twice_differentiable]
        print("op[case] 2nd: second derivatives, w.r.t. the inputs and the upstream "
              "gradient (upstreamK)")
        if first_only:
            print(f"first order only (fused, not twice differentiable): {', '.join(first_only)}")
    return 1 if failed else 0
