"""The code's shape: data flows one way (ingest → index → search → api) and a public name means
one thing. Read from the source with ``ast``, so lazy imports inside functions count too."""
import ast
import re
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


def defined(node: ast.stmt) -> list[str]:
    """The public names a module-level statement defines: functions, classes and constants
    (lower-case module variables, like each router's ``router``, name a module's own instance)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        names = [node.name]
    elif isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        names = [t.id for t in targets if isinstance(t, ast.Name) and not t.id.islower()]
    else:
        names = []
    return [n for n in names if not n.startswith("_")]


def test_no_public_name_is_defined_twice():
    """A module-level function, class or constant has one meaning across the layers (two ``fold``
    that behaved differently, three ``WORD`` patterns, led readers astray)."""
    where = defaultdict(list)
    for _, path, tree in modules():
        for node in tree.body:
            for name in defined(node):
                where[name].append(str(path.relative_to(REPO)))
    twice = {name: paths for name, paths in where.items() if len(paths) > 1}
    assert not twice, twice


MAX_FUNCTION_LINES = 60     # a route, a dependency or a command reads in one screen


def test_no_function_of_the_web_layer_is_longer_than_a_screen():
    long = [f"{path.relative_to(REPO)}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)"
            for rank, path, tree in modules() if LAYERS[rank] == "api"
            for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]
    assert not long, long


SQL = re.compile(r"^\s*(SELECT\b.*\bFROM|INSERT\s+(OR\s+\w+\s+)?INTO|DELETE\s+FROM|UPDATE\s+\w+\s+SET"
                 r"|CREATE\s+(TABLE|INDEX)|PRAGMA)\b", re.IGNORECASE | re.DOTALL)   # statements, not the HTTP verb DELETE


def speaks_sql(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, what) of every SQL statement, cursor call or reach into a store's connection."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and (node.attr.startswith("execute") or node.attr == "db"):
            out.append((node.lineno, f".{node.attr}"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.match(node.value):
            out.append((node.lineno, node.value.split()[0]))
        elif isinstance(node, (ast.Import, ast.ImportFrom)) and any(
                (a.name if isinstance(node, ast.Import) else node.module or "").startswith("sqlite3")
                for a in node.names):
            out.append((node.lineno, "sqlite3"))
    return out


# Modules of the web layer that handle databases other than the index's store, and why.
OWN_DATABASE = {"api/questions.py": "the question log is a database of its own",
                "api/backup.py": "copies the records' databases whole (SQLite's backup API), runs no SQL on them"}


def test_search_and_the_web_layer_ask_the_index_never_sql():
    """The store's SQL is the index's business: search and api call named methods of
    ``index.store.Store`` (``titles``, ``source_files``, ``passages``…), so its schema can change alone."""
    wrong = [f"{path.relative_to(REPO)}:{line} {what}"
             for rank, path, tree in modules() if LAYERS[rank] in ("search", "api")
             and str(path.relative_to(REPO)) not in OWN_DATABASE
             for line, what in speaks_sql(tree)]
    assert not wrong, wrong


def test_the_check_sees_sql():
    tree = ast.parse('import sqlite3\nrows = store.db.execute("SELECT id, source FROM documents")\n'
                     'sql = "DELETE FROM labels WHERE vid=?"\nverbs = ("POST", "DELETE")\n')
    assert sorted(speaks_sql(tree)) == [(1, "sqlite3"), (2, ".db"), (2, ".execute"), (2, "SELECT"), (3, "DELETE")]


def reads_the_tests(tree: ast.AST) -> list[tuple[int, str]]:
    """String constants naming the test tree as a path: ``"tests"`` alone or ``"tests/…"``."""
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and (node.value == "tests" or node.value.startswith("tests/"))]


def test_no_layer_reads_the_test_tree():
    """What the product needs (the labelled passages train-tags learns from) ships with it
    (``ingest/taxonomy/labelled/``); the tests may read the product, never the other way round."""
    wrong = [f"{path.relative_to(REPO)}:{line} {what}" for _, path, tree in modules()
             for line, what in reads_the_tests(tree)]
    assert not wrong, wrong
    assert sorted(reads_the_tests(ast.parse('ROOT / "tests" / "data"\nopen("tests/data/x.json")\n"a docstring about tests"'))) == \
        [(1, "tests"), (2, "tests/data/x.json")]
