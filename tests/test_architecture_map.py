"""docs/architecture.md, the newcomer's map from a URL to the FAISS call, names only what exists:
every file it names, every function next to its file, every ``Class.member``. Read with ``ast``."""
import ast
import re
from pathlib import Path

from conftest import REPO

MAP = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
LAYER_FILE = r"(?:api|ingest|index|search)/[\w/]+\.py"


def module_names(tree: ast.Module) -> set[str]:
    """What a module defines at its top level, and ``Class.method`` for its classes' methods."""
    out = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out.add(node.name)
        elif isinstance(node, ast.ClassDef):
            out.add(node.name)
            out |= {f"{node.name}.{m}" for m in class_members(node)}
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            out |= {t.id for t in targets if isinstance(t, ast.Name)}
    return out


def class_members(node: ast.ClassDef) -> set[str]:
    """Methods, class attributes and the attributes its methods set on ``self``."""
    out = set()
    for sub in ast.walk(node):
        if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out.add(sub.name)
        elif isinstance(sub, ast.AnnAssign) and isinstance(sub.target, ast.Name):
            out.add(sub.target.id)
        elif isinstance(sub, ast.Assign):
            for t in sub.targets:
                if isinstance(t, ast.Name):
                    out.add(t.id)
                elif isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self":
                    out.add(t.attr)
    return out


def named_in(page: str) -> list[tuple[str, str]]:
    """(file, name) pairs the page writes as `file.py` `name` or, in its diagrams, <b>file.py</b> name."""
    return (re.findall(rf"`({LAYER_FILE})`\s+`([\w.]+)`", page)
            + re.findall(rf"<b>({LAYER_FILE})</b>\s+([\w.]+)", page))


def missing(page: str, root: Path) -> list[str]:
    wrong = [f for f in sorted(set(re.findall(LAYER_FILE, page))) if not (root / f).is_file()]
    trees = {}
    for f, name in named_in(page):
        if (root / f).is_file():
            trees.setdefault(f, module_names(ast.parse((root / f).read_text(encoding="utf-8"))))
            if name not in trees[f]:
                wrong.append(f"{f} {name}")
    classes = {}
    for layer in ("api", "ingest", "index", "search"):
        for path in (root / layer).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ClassDef):
                    classes.setdefault(node.name, set()).update(class_members(node))
    wrong += [f"{cls}.{member}" for cls, member in sorted(set(re.findall(r"\b([A-Z]\w+)\.(\w+)", page)))
              if cls in classes and member not in classes[cls]]
    return wrong


def test_the_map_reads_every_file_it_names():
    assert len(named_in(MAP)) >= 30          # the page's way of naming things is the one parsed here
    assert not missing(MAP, REPO)


def test_the_check_sees_a_stale_name():
    page = ("`search/searcher.py` `Searcher.rank` then <b>index/vectors.py</b> VectorIndex.search, "
            "`search/searcher.py` `Searcher.rerank`, `search/ranker.py`, Searcher.shapren "
            "and <b>api/app.py</b> build_app")
    assert missing(page, REPO) == ["search/ranker.py", "search/searcher.py Searcher.rerank", "api/app.py build_app",
                                   "Searcher.rerank", "Searcher.shapren"]
