"""The chapter models are installed and imported as autograd_nlp.models
(from the top-level folder models/), never as a bare `models` that a
project's own models/ folder would shadow."""
import os
import pathlib
import subprocess
import sys
import tomllib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent


def setuptools_config():
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["tool"]["setuptools"]


def test_the_models_folder_is_mapped_to_autograd_nlp_models_and_nothing_bare():
    config = setuptools_config()
    assert config["package-dir"] == {"autograd_nlp.models": "models"}
    assert "autograd_nlp.models" in config["packages"]
    assert not any(p == "models" or p.startswith("models.") for p in config["packages"])


def test_every_subpackage_of_autograd_nlp_is_listed_for_the_build():
    """The packages are listed by hand (setuptools cannot discover one mapped
    to another folder): a new subpackage missing from the list would be left
    out of a regular install while working in an editable one."""
    on_disk = {".".join(d.relative_to(ROOT).parts) for d in (ROOT / "autograd_nlp").rglob("*")
               if d.is_dir() and d.name != "__pycache__" and any(d.glob("*.py"))}
    on_disk.add("autograd_nlp")
    missing = sorted(on_disk - set(setuptools_config()["packages"]))
    assert not missing, (f"add {missing} to [tool.setuptools] packages in pyproject.toml "
                         f"(and reinstall: pip install -e .)")


def test_a_models_folder_of_ones_own_does_not_shadow_autograd_nlp_models(tmp_path):
    """A student's project with its own models/ package, run from its folder
    (first on sys.path, as for any script there)."""
    own = tmp_path / "models"
    own.mkdir()
    (own / "__init__.py").write_text("MINE = True\n")
    (own / "rnnlm.py").write_text("raise ImportError('the student models/rnnlm.py')\n")
    code = ("import models, autograd_nlp.models as ours\n"
            "from autograd_nlp.models.rnnlm import Rnnlm\n"
            "from autograd_nlp.models.attention_seq2seq import AttentionSeq2seq\n"
            "assert models.MINE and ours.language_models()['rnnlm'] is Rnnlm\n"
            "assert ours.seq2seq_models()['attention'] is AttentionSeq2seq\n"
            "import autograd_nlp.cli\n"           # every command imports its models
            "print(ours.__file__)\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert pathlib.Path(done.stdout.strip()).parent.name in ("models",)
    assert str(tmp_path) not in done.stdout


def test_a_checkout_finds_its_models_without_an_install():
    """Run from a checkout (its root first on sys.path, as pytest at the root
    does after a regular ``pip install .``), the source package has no
    models/ subfolder: it looks in the checkout's root, so autograd_nlp.models
    is the top-level folder models/ and nothing else."""
    import autograd_nlp
    import autograd_nlp.models
    here = os.path.dirname(os.path.abspath(autograd_nlp.__file__))
    if os.path.isdir(os.path.join(here, "models")):
        pytest.skip("an installed package (autograd_nlp/models exists): nothing to look for")
    root = os.path.dirname(here)
    assert root in autograd_nlp.__path__
    assert os.path.abspath(autograd_nlp.models.__file__) == os.path.join(root, "models",
                                                                         "__init__.py")
