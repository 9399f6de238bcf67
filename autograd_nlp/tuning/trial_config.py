"""A search's trials as recipe Configs: the train command a search scores
(``TUNABLE``), its fixed settings (``--set OPTION[=VALUE]``, read as the
command line reads them) and a trial's searched values, made into the
recipe's Config directly, with no command line in between."""
import dataclasses

from autograd_nlp.errors import UserError
from autograd_nlp.recipes.config import ConfigError

# the train commands a search can score: their validation score, its direction,
# and the settings that give them a validation split
TUNABLE = {
    "seq2seq": ("valid accuracy", "maximize", {"valid_fraction": 0.1}),
    "peeky": ("valid accuracy", "maximize", {"valid_fraction": 0.1}),
    "attention": ("valid accuracy", "maximize", {"valid_fraction": 0.1}),
    "rnnlm": ("valid perplexity", "minimize", {}),
    "better-rnnlm": ("valid perplexity", "minimize", {}),
}
NEVER_STOP = 10 ** 6    # early-stop patience that only keeps the best epoch
# the settings a search sets itself for every trial: not for --set or --param
MANAGED = {"out": "the search puts each trial in OUT/trial-NNN",
           "resume": "the search resumes its trials itself",
           "overwrite": "each trial starts in a fresh folder",
           "quiet": "trials are always quiet (their output goes to train.log)",
           "epochs": "use tune --epochs", "early_stop": "use tune --patience",
           "skip_test": "the search tests the best setting once, at the end"}
NOT_SEARCHABLE = ("epochs", "early_stop", "checkpoint_every", "checkpoint_minutes", "seed")


def recipe_of(model):
    """(Config class, run) of the train command ``model``."""
    from autograd_nlp.recipes import language_model, seq2seq
    if model in seq2seq.CONFIGS:
        return seq2seq.CONFIGS[model], seq2seq.run
    return language_model.CONFIGS[model], language_model.run


def _fields(config_class):
    return {f.name: f for f in dataclasses.fields(config_class)}


def resolve_option(config_class, name):
    """The field an option name stands for (``batch-size``, ``--batch_size``,
    or a unique prefix, as argparse takes it), or None."""
    fields = _fields(config_class)
    dest = name.strip().lstrip("-").replace("-", "_")
    if dest in fields:
        return dest
    if dest.startswith("no_") and dest[3:] in fields and isinstance(fields[dest[3:]].default, bool):
        return dest
    matches = [f for f in fields if f.startswith(dest)]
    return matches[0] if len(matches) == 1 else None


def read_value(config_class, dest, text, item):
    """The value of ``--set`` item ``item`` for field ``dest`` (``no_x``: x off)."""
    from autograd_nlp.recipes.checks import from_text
    fields = _fields(config_class)
    if dest.startswith("no_") and dest not in fields:
        if text is not None:
            raise UserError(f"tune: --set {item}: a switch takes no value")
        return dest[3:], False
    field = fields[dest]
    if isinstance(field.default, bool):
        if text is not None:
            raise UserError(f"tune: --set {item}: --{dest.replace('_', '-')} is a switch; "
                            f"write --set {dest.replace('_', '-')} (on) or --set "
                            f"no-{dest.replace('_', '-')} (off)")
        return dest, True
    if text is None:
        raise UserError(f"tune: --set {item}: --{dest.replace('_', '-')} needs a value; "
                        f"write OPTION=VALUE")
    check = field.metadata.get("check")
    if check is None:
        return dest, text
    try:
        return dest, from_text(check, text)
    except ValueError as e:
        raise UserError(f"tune: --set {item}: {e}") from None


def fixed_settings(model, items, specs):
    """{field: value} of the ``--set`` items for train ``model``: each option
    once, none searched by a ``--param`` too, none the search sets itself."""
    config_class, _ = recipe_of(model)
    searched = {spec.dest: spec.option for spec in specs}
    fixed, seen = {}, {}
    for item in items:
        name, eq, text = item.partition("=")
        if not name.strip().lstrip("-"):
            raise UserError(f"tune: cannot read --set {item!r}; write OPTION=VALUE or OPTION")
        dest = resolve_option(config_class, name)
        if dest is None:
            raise UserError(f"tune: --set {item}: train {model} has no option "
                            f"--{name.strip().lstrip('-')}")
        dest, value = read_value(config_class, dest, text if eq else None, item)
        option = "--" + dest.replace("_", "-")
        if dest in MANAGED:
            raise UserError(f"tune: --set {item}: {option} is not for --set ({MANAGED[dest]})")
        if dest in searched:
            raise UserError(f"tune: {searched[dest]} is given both by --param and by --set "
                            f"{item}; each trial would get it twice. Search it (--param) or "
                            f"fix it (--set), not both")
        if dest in seen:
            raise UserError(f"tune: --set {seen[dest]} and --set {item} both set {option}; "
                            f"give each option once")
        seen[dest], fixed[dest] = item, value
    return fixed


def searchable(config_class):
    """The numeric fields a ``--param`` may search."""
    return sorted(f.name for f in dataclasses.fields(config_class)
                  if f.type in (int, float) and f.metadata.get("setting", True)
                  and f.name not in NOT_SEARCHABLE)


def trial_config(model, fixed, params, out, epochs, patience, test=False, resume=None):
    """The Config of one trial of train ``model``: the search's validation
    split, ``fixed`` and ``params`` ({field: value}), quiet, early stopping
    that keeps the best epoch, the test split skipped (``test``: measured,
    resuming ``resume``). A refused value is a UserError naming the trial's
    settings."""
    config_class, _ = recipe_of(model)
    values = {**TUNABLE[model][2], **fixed, **params, "out": out, "quiet": True,
              "early_stop": patience or NEVER_STOP, "skip_test": not test}
    if epochs is not None:
        values["epochs"] = epochs
    if resume is not None:
        values["resume"] = resume
    try:
        return config_class(**values).mark_given(set(values))
    except ConfigError as e:
        shown = " ".join(f"{k}={v!r}" for k, v in {**fixed, **params}.items())
        raise UserError(f"tune: train {model} refuses {shown or 'its defaults'}: {e}; fix "
                        f"--param or --set") from None


def check_space(model, fixed, specs, epochs):
    """Every searched name is a searchable setting of train ``model``, and
    every bound of the space is accepted (so a bad range fails now, not in
    trial 7)."""
    config_class, _ = recipe_of(model)
    allowed = searchable(config_class)
    for spec in specs:
        if spec.dest not in allowed:
            raise UserError(f"tune: --param {spec.dest}: train {model} has no searchable "
                            f"option {spec.option}; searchable: "
                            + ", ".join(s.replace("_", "-") for s in allowed))
    base = {s.dest: s.extremes()[0] for s in specs}
    for spec in specs:
        for value in spec.extremes():
            trial_config(model, fixed, {**base, spec.dest: value}, "x", epochs, None)


def command_line(model, fixed_items, params, epochs, patience):
    """The ``autograd-nlp train`` command that reproduces a setting."""
    validation = " ".join(f"--{k.replace('_', '-')} {v}" for k, v in TUNABLE[model][2].items())
    fixed = " ".join(f"--{i.partition('=')[0].strip().lstrip('-')}"
                     + (f" {i.partition('=')[2]}" if "=" in i else "") for i in fixed_items)
    setting = " ".join(f"--{k.replace('_', '-')} {v!r}" for k, v in params.items())
    return " ".join(part for part in (f"autograd-nlp train {model}", validation, fixed, setting,
                                      f"--epochs {epochs}" if epochs else "",
                                      f"--early-stop {patience or NEVER_STOP}") if part)
