"""Every option of every command has a help text that shows its real default."""
import argparse

import pytest

from autograd_nlp.cli import build_parser


def all_parsers(parser, name="autograd-nlp"):
    """(command name, parser) for the parser and every sub-parser, recursively."""
    yield name, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub_name, sub in action.choices.items():
                yield from all_parsers(sub, f"{name} {sub_name}")


PARSERS = dict(all_parsers(build_parser()))


def test_the_walk_reaches_every_command():
    for command in ("train rnnlm", "train attention", "train cbow", "train count-svd",
                    "eval", "generate", "translate", "plot-accuracy", "similar", "analogy",
                    "graph", "gradcheck"):
        assert f"autograd-nlp {command}" in PARSERS


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_every_option_has_help_and_shows_its_default(name):
    parser = PARSERS[name]
    formatter = parser._get_formatter()
    for action in parser._actions:
        if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
            continue
        label = f"{name} {'/'.join(action.option_strings) or action.dest}"
        assert action.help and action.help.strip(), f"{label} has no help text"
        if not action.option_strings or action.required or action.nargs == 0:
            continue                     # positionals, required options, flags
        shown = formatter._expand_help(action)
        assert "default" in shown.lower(), f"{label}: help does not say the default"
        if action.default is not None and "%(default)" in formatter._get_help_string(action):
            assert str(action.default) in shown, f"{label}: {shown!r}"


def test_the_real_default_appears_in_the_help(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["train", "rnnlm", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--epochs EPOCHS epochs to train (default: 4)" in text
    assert "--lr LR SGD learning rate (default: 20.0)" in text
    assert "--lr-decay LR_DECAY divide lr by this when validation perplexity gets " \
           "worse (default: never)" in text
