"""The layering, checked over the import graph (read with ast, nothing run):
commands sit on top and never import each other; the library never imports
a command; the only import circle is the engine's (Variable's operators call
the functions, which build Variables)."""
import pytest

from import_graph import cycles, import_graph

# the engine's circle: core <-> functions (operator overloads), and the
# pictures of a graph that a Variable draws of itself
ENGINE = {"autograd_nlp.core", "autograd_nlp.functions", "autograd_nlp.graphviz",
          "autograd_nlp.inspection", "autograd_nlp.notebook_display"}
# argparse helpers that every command shares: not commands themselves
COMMAND_HELPERS = {"autograd_nlp.commands", "autograd_nlp.commands.common",
                   "autograd_nlp.commands.params_option"}


@pytest.fixture(scope="module")
def graph():
    return import_graph()


def in_engine(module):
    return module in ENGINE or module.startswith("autograd_nlp.functions.")


def test_the_only_import_circle_is_the_engines(graph):
    circles = cycles(graph)
    others = [sorted(c) for c in circles if not all(in_engine(m) for m in c)]
    assert others == [], f"import circles outside the engine: {others}"
    assert len(circles) <= 1


def test_no_command_imports_another_command(graph):
    commands = {m for m in graph if m.startswith("autograd_nlp.commands.")} - COMMAND_HELPERS
    offenders = {m: sorted(graph[m] & commands) for m in commands if graph[m] & commands}
    assert offenders == {}, f"commands importing commands: {offenders}"


def test_the_library_never_imports_a_command(graph):
    library = {m for m in graph if not m.startswith(("autograd_nlp.commands", "autograd_nlp.cli",
                                                     "autograd_nlp.__main__"))}
    offenders = {m: sorted(d for d in graph[m] if d.startswith("autograd_nlp.commands")
                           or d == "autograd_nlp.cli") for m in library}
    offenders = {m: d for m, d in offenders.items() if d}
    assert offenders == {}, f"library modules importing the command line: {offenders}"


def test_the_checker_finds_a_circle():
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [{"a", "b"}]
    assert cycles({"a": {"b"}, "b": set()}) == []
