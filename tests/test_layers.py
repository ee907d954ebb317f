"""The code's shape: data flows one way (ingest → index → search → api) and a public name means
one thing. Read from the source with ``ast``, so lazy imports inside functions count too."""
import ast
from collections import defaultdict
from pathlib import Path

from conftest import REPO

LAYERS = ("ingest", "index", "search", "api")


def modules():
    for rank, layer in enumerate(LAYERS):
        for path in sorted((REPO / layer).rglob("*.py")):
            yield rank, path, ast.parse(path.read_text(encoding="utf-8"), str(path))


def imported(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, top-level package) of every absolute import, wherever it sits in the module."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.append((node.lineno, node.module.split(".")[0]))
    return out


def test_every_layer_is_found():
    found = {path.relative_to(REPO).parts[0] for _, path, _ in modules()}
    assert found == set(LAYERS)


def test_no_module_imports_a_layer_above_its_own():
    wrong = [f"{path.relative_to(REPO)}:{line} imports {package}"
             for rank, path, tree in modules() for line, package in imported(tree)
             if package in LAYERS and LAYERS.index(package) > rank]
    assert not wrong, wrong


def test_the_check_sees_an_upward_import():
    tree = ast.parse("def f():\n    from api.app import create_app\nimport search.answer\n")
    assert sorted(imported(tree)) == [(2, "api"), (3, "search")]


def test_no_public_name_is_defined_twice():
    """A module-level function, class or constant has one meaning across the layers (two ``fold``
    that behaved differently, three ``WORD`` patterns, led readers astray)."""
    where = defaultdict(list)
    for _, path, tree in modules():
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names = [node.name]
            elif isinstance(node, ast.Assign):
                names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                names = [node.target.id]
            else:
                names = []
            for name in names:
                if not name.startswith("_"):
                    where[name].append(str(path.relative_to(REPO)))
    twice = {name: paths for name, paths in where.items() if len(paths) > 1}
    assert not twice, twice
