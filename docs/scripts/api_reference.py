"""Writes the reference part of docs/api.md: every public name of the
engine, the functions, layers, optimizers, training, data, text, recipes and
loading, with its signature and the first line of its docstring, and every
recipe's settings (its Config's fields, defaults and help).

    python docs/scripts/api_reference.py            # rewrite docs/api.md's reference
    python docs/scripts/api_reference.py --check    # exit 1 if it is out of date

tests/test_api_reference.py runs the check, so a public name added without
its line here fails the suite.
"""
import dataclasses
import importlib
import inspect
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)
PAGE = os.path.join(ROOT, "docs", "api.md")
BEGIN = "<!-- reference: written by docs/scripts/api_reference.py -->"
END = "<!-- end of reference -->"

# (title, module, what it is); the module's public names are listed
SECTIONS = [
    ("Engine: `autograd_nlp`", "autograd_nlp", "the Variable, the Function, backward, checks, "
                                               "graph pictures, `load`"),
    ("Functions: `autograd_nlp.functions`", "autograd_nlp.functions",
     "the differentiable ops (each gradient-checked to second order)"),
    ("Layers: `autograd_nlp.layers`", "autograd_nlp.layers", "Modules with parameters"),
    ("Optimizers: `autograd_nlp.optim`", "autograd_nlp.optim", "updates and clipping"),
    ("Training: `autograd_nlp.training`", "autograd_nlp.training",
     "trainers, checkpoints, progress, plots"),
    ("Data: `autograd_nlp.data`", "autograd_nlp.data", "PTB, the toy seq2seq tasks, splits"),
    ("Text: `autograd_nlp.text`", "autograd_nlp.text",
     "NumPy-only text tools: co-occurrence, PPMI, SVD, word vectors, the translator"),
    ("Distributed: `autograd_nlp.distributed`", "autograd_nlp.distributed",
     "data-parallel training over MPI (docs/distributed.md)"),
]
RECIPES = ["seq2seq", "transformer", "language_model", "transformer_lm", "bert",
           "bert_finetune", "word_vectors", "autoencoder", "reinforcement", "rl_finetune"]
LOADED = [("autograd_nlp.text.translator", "Translator"), ("autograd_nlp.text.translator", "Answer"),
          ("autograd_nlp.loading.language_model", "LanguageModel"),
          ("autograd_nlp.text.word_vectors", "WordVectors"),
          ("autograd_nlp.loading.policy", "Policy"), ("autograd_nlp.loading.bert", "BertEncoder")]


def first_line(obj):
    doc = inspect.getdoc(obj) or ""
    line = " ".join(doc.split("\n\n")[0].split())
    return line or "(no docstring)"


def signature(obj):
    try:
        text = str(inspect.signature(obj))
    except (TypeError, ValueError):
        return "(...)"
    text = text.replace("\n", " ")
    return text if len(text) <= 110 else text[:107] + "...)"


def public_names(module):
    names = getattr(module, "__all__", None) or [n for n in dir(module) if not n.startswith("_")]
    out = []
    for name in sorted(set(names), key=lambda n: (n.lower(), n)):
        try:
            obj = getattr(module, name)
        except AttributeError:
            continue
        if inspect.ismodule(obj):
            if obj.__name__.startswith("autograd_nlp"):
                out.append((name, obj))
            continue
        home = getattr(obj, "__module__", "") or ""
        if (inspect.isclass(obj) or inspect.isfunction(obj) or callable(obj)) and \
                home.startswith(("autograd_nlp", "models")):
            out.append((name, obj))
    return out


def entry(name, obj):
    if inspect.ismodule(obj):
        return f"- `{name}` (module) — {first_line(obj)}"
    kind = "class " if inspect.isclass(obj) else ""
    return f"- {kind}`{name}{signature(obj)}` — {first_line(obj)}"


def config_fields(config_class):
    from autograd_nlp.recipes.config import TrainingConfig
    base = {f.name: f for f in dataclasses.fields(TrainingConfig)}
    rows = []
    for f in dataclasses.fields(config_class):
        inherited = base.get(f.name)
        if inherited is not None and inherited.default == f.default and \
                issubclass(config_class, TrainingConfig):
            continue
        help_text = " ".join(f.metadata.get("help", "").replace("%(default)s",
                                                                 str(f.default)).split())
        rows.append(f"  - `{f.name}` = `{f.default!r}` — {help_text}")
    return rows


def recipe_section(name):
    from autograd_nlp.recipes.config import Config
    module = importlib.import_module(f"autograd_nlp.recipes.{name}")
    lines = [f"### `autograd_nlp.recipes.{name}`", "", first_line(module), ""]
    lines.append(f"- `run{signature(module.run)}` — {first_line(module.run)}")
    classes = [obj for _, obj in sorted(vars(module).items())
               if inspect.isclass(obj) and issubclass(obj, Config)
               and obj.__module__ == module.__name__ and not obj.__name__.startswith("_")]
    for config_class in classes:
        command = getattr(config_class, "model", None)
        where = f" (`autograd-nlp train {command}`)" if isinstance(command, str) else ""
        lines.append(f"- class `{config_class.__name__}`{where} — {first_line(config_class)}")
        lines.extend(config_fields(config_class))
    return lines + [""]


def reference():
    lines = [BEGIN, "", "## Reference", "",
             "Written by `python docs/scripts/api_reference.py` from the code (the test suite "
             "checks it is current). Signatures are abbreviated past 110 characters.", ""]
    for title, module_name, what in SECTIONS:
        module = importlib.import_module(module_name)
        lines += [f"### {title}", "", f"{what[0].upper()}{what[1:]}.", ""]
        lines += [entry(n, o) for n, o in public_names(module)] + [""]
    lines += ["### Recipes: `autograd_nlp.recipes`", "",
              "Every train command as Python: a Config (the command's options; the fields "
              "every recipe shares are `TrainingConfig`'s, listed first) and `run`.", ""]
    from autograd_nlp.recipes.config import TrainingConfig
    from autograd_nlp.recipes.result import Callbacks, Result
    lines.append(f"- class `TrainingConfig` — {first_line(TrainingConfig)}")
    for f in dataclasses.fields(TrainingConfig):
        lines.append(f"  - `{f.name}` = `{f.default!r}` — "
                     f"{' '.join(f.metadata['help'].split())}")
    lines += [entry("Result", Result), entry("Callbacks", Callbacks), ""]
    for name in RECIPES:
        lines += recipe_section(name)
    lines += ["### What `autograd_nlp.load` returns", ""]
    for module_name, name in LOADED:
        cls = getattr(importlib.import_module(module_name), name)
        lines.append(entry(name, cls))
        for method_name, method in sorted(vars(cls).items()):
            if not method_name.startswith("_") and inspect.isfunction(method):
                lines.append(f"  - `.{method_name}{signature(method)}` — {first_line(method)}")
    return "\n".join(lines + ["", END]) + "\n"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    text = open(PAGE, encoding="utf-8").read()
    head = text.split(BEGIN)[0]
    new = head + reference()
    if "--check" in argv:
        if new != text:
            print("docs/api.md's reference is out of date: run python "
                  "docs/scripts/api_reference.py", file=sys.stderr)
            return 1
        return 0
    with open(PAGE, "w", encoding="utf-8") as f:
        f.write(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
