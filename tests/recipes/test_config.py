"""A recipe's Config: fields checked once, in Python as on the command line;
what was given; the settings a checkpoint stores; variants; the argparse
options generated from the fields."""
import dataclasses

import pytest

from autograd_nlp.commands.common import Parser, add_config_options, config_from_args
from autograd_nlp.recipes.config import ConfigError, TrainingConfig, option, variant
from autograd_nlp.recipes import checks
from autograd_nlp.recipes.seq2seq import AttentionConfig, PeekyConfig, Seq2seqConfig


@dataclasses.dataclass
class ToyConfig(TrainingConfig):
    hidden: int = option(8, "hidden size", checks.positive_int)
    rate: float = option(0.5, "a rate", checks.fraction)
    mode: str = option("a", "a mode", choices=("a", "b"))
    flag: bool = option(True, "a flag on by default")
    cap: int = option(None, "a cap", checks.positive_int, none_help="no cap")


@pytest.mark.parametrize("field, value, words", [
    ("hidden", 0, "--hidden must be a positive integer (1, 2, ...), got 0"),
    ("hidden", 2.5, "--hidden expected an integer, got 2.5"),
    ("hidden", True, "--hidden expected an integer, got True"),
    ("rate", 1.0, "--rate must be in [0, 1), got 1.0"),
    ("rate", float("nan"), "--rate expected a finite number"),
    ("mode", "c", "--mode must be one of a, b, got 'c'"),
    ("epochs", -1, "--epochs must be a positive integer"),
    ("device", "tpu", "--device must be cpu or cuda"),
])
def test_a_bad_value_is_refused_naming_the_option(field, value, words):
    with pytest.raises(ConfigError, match="^" + words.replace("(", r"\(").replace(")", r"\)")
                       .replace("[", r"\[").replace("+", r"\+").replace(".", r"\.")):
        ToyConfig(**{field: value})


def test_a_good_value_is_normalised():
    config = ToyConfig(rate=0, hidden=3)
    assert config.rate == 0.0 and isinstance(config.rate, float) and config.hidden == 3


def test_given_fields_are_those_set_on_purpose():
    config = ToyConfig(hidden=16)
    assert config.given() == {"hidden"}
    assert ToyConfig(hidden=8).given() == {"hidden"}     # passed, even at the default value
    assert ToyConfig().given() == set()
    assert config.mark_given({"hidden", "rate"}).given() == {"hidden", "rate"}
    changed = ToyConfig(hidden=16).replace(rate=0.25)
    assert changed.given() == {"hidden", "rate"} and changed.rate == 0.25
    with pytest.raises(ConfigError):
        changed.replace(rate=2)


def test_settings_leave_out_where_and_how_to_run():
    settings = ToyConfig(out="somewhere", quiet=True, hidden=4).settings()
    assert settings["hidden"] == 4 and settings["epochs"] == 1 and settings["seed"] == 1
    for where in ("out", "quiet", "resume", "overwrite", "device", "data_dir",
                  "checkpoint_every", "checkpoint_minutes"):
        assert where not in settings


def test_a_variant_changes_defaults_and_keeps_help_and_checks():
    Small = variant(ToyConfig, "Small", "a smaller toy", hidden=2)
    assert Small().hidden == 2 and Small.field_help("hidden") == "hidden size"
    with pytest.raises(ConfigError, match="--hidden"):
        Small(hidden=0)
    with pytest.raises(TypeError, match="no field 'width'"):
        variant(ToyConfig, "Bad", "", width=3)
    assert PeekyConfig().reverse and not Seq2seqConfig().reverse
    assert PeekyConfig.model == "peeky" and Seq2seqConfig.model == "seq2seq"


def parse(config_class, *argv):
    p = Parser(prog="toy")
    add_config_options(p, config_class)
    return p, p.parse_args(list(argv))


def test_the_options_come_from_the_fields(capsys):
    p, args = parse(ToyConfig, "--hidden", "4", "--no-flag", "--mode", "b")
    config = config_from_args(ToyConfig, args)
    assert (config.hidden, config.flag, config.mode) == (4, False, "b")
    assert config.given() == {"hidden", "flag", "mode"}      # typed, not defaults
    help_text = p.format_help()
    assert "hidden size (default: 8)" in help_text and "a cap (default: no cap)" in help_text
    with pytest.raises(SystemExit) as e:
        parse(ToyConfig, "--hidden", "0")
    assert e.value.code == 2
    assert "argument --hidden: must be a positive integer (1, 2, ...), got '0'" in \
        capsys.readouterr().err


def test_the_command_line_and_python_refuse_alike(capsys):
    with pytest.raises(SystemExit):
        parse(AttentionConfig, "--dropout", "1")
    cli = capsys.readouterr().err.split("argument --dropout: ")[1].strip()
    with pytest.raises(ConfigError) as e:
        AttentionConfig(dropout=1)
    assert str(e.value) == "--dropout " + cli.replace("'1'", "1")
