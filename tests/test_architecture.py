"""The shape of the code base: no import cycles in product code, and no module or function too long to read.

Product code is ``social_care/``, ``connectors/``, ``responders/`` and ``scheduler.py``. Every import counts,
at module level and inside functions alike (a function-local import still closes a cycle, it only moves the
failure to run time); imports under ``if TYPE_CHECKING:`` are left out because they never run, and so are
those under ``if __name__ == "__main__":`` (they run in a script, which is a module of its own).

It also holds the size rule: a module over 400 lines or a function over 80 carries its reason, written as a
``# size:`` comment at the top of the module or above the ``def``, or in the allow-list below.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("social_care", "connectors", "responders")
SINGLE_MODULES = ("scheduler.py",)


@dataclass(frozen=True)
class Import:
    source: str  # importing module
    target: str  # imported product module
    line: int
    local: bool  # inside a function


def _module_files() -> dict[str, Path]:
    files: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            files[".".join(parts)] = path
    for name in SINGLE_MODULES:
        files[name.removesuffix(".py")] = ROOT / name
    return files


MODULES = _module_files()


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _is_main_guard(test: ast.expr) -> bool:
    """``if __name__ == "__main__":`` runs only when the file is the program, as a module of its own."""
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in test.comparators)
    )


def _import_nodes(tree: ast.AST) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import that can run, with whether it sits inside a function."""

    def visit(node: ast.AST, local: bool) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and (_is_type_checking(child.test) or _is_main_guard(child.test)):
                for sub in child.orelse:
                    yield from visit(sub, local)
                continue
            if isinstance(child, ast.Import | ast.ImportFrom):
                yield child, local
            inner = local or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            yield from visit(child, inner)

    yield from visit(tree, False)


def _package_of(module: str) -> str:
    path = MODULES[module]
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def _targets(module: str, node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name in MODULES:
                yield alias.name
        return
    base = node.module or ""
    if node.level:
        package = _package_of(module)
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        base = f"{package}.{base}" if base else package
    for alias in node.names:
        sub = f"{base}.{alias.name}"
        if sub in MODULES:
            yield sub
        elif base in MODULES:
            yield base


def product_imports() -> list[Import]:
    found: list[Import] = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node, local in _import_nodes(tree):
            for target in _targets(module, node):
                if target != module:
                    found.append(Import(module, target, node.lineno, local))
    return found


def import_cycles(imports: list[Import]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each as one concrete cycle."""
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for imp in imports:
        graph.setdefault(imp.source, set()).add(imp.target)
        graph.setdefault(imp.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def strongconnect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(component)

    for v in sorted(graph):
        if v not in index:
            strongconnect(v)

    cycles = []
    for component in components:
        start = min(component)
        # shortest path back to start inside the component (breadth first)
        prev: dict[str, str] = {}
        queue = [start]
        found = None
        while queue and found is None:
            nxt = []
            for v in queue:
                for w in sorted(graph[v] & component):
                    if w == start:
                        found = v
                        break
                    if w not in prev:
                        prev[w] = v
                        nxt.append(w)
                if found:
                    break
            queue = nxt
        path = [start]
        v = found
        while v is not None and v != start:
            path.insert(1, v)
            v = prev.get(v)
        cycles.append([*path, start] + ([f"(component of {len(component)}: {sorted(component)})"]
                                         if len(component) > len(path) else []))
    return cycles


def test_no_import_cycles() -> None:
    cycles = import_cycles(product_imports())
    assert not cycles, "import cycles in product code:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_the_cycle_finder_names_a_cycle() -> None:
    assert import_cycles([Import("zz.a", "zz.b", 1, True), Import("zz.b", "zz.a", 3, False)]) == [
        ["zz.a", "zz.b", "zz.a"]
    ]


def test_the_cycle_finder_sees_function_local_imports(tmp_path: Path) -> None:
    # the walker itself: a function-local import is an edge, a TYPE_CHECKING import is not
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    import a\n"
        "def f():\n    import b\n"
        "import c\n"
        "if __name__ == '__main__':\n    import d\n"
    )
    seen = {(alias.name, local) for node, local in _import_nodes(tree) for alias in node.names}
    assert seen == {("TYPE_CHECKING", False), ("b", True), ("c", False)}


# ---- size: a module over ~400 lines or a function over ~80 needs a reason ------------------------------------

MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 80
REASON_MARK = "# size:"  # in a module's first 10 lines, or on the line above a function's `def`: the reason

# The ones that were long when this check came in, each with its reason. Remove an entry when its module or
# function is split; an entry that is no longer long fails the test, so the list only shrinks.
LONG_MODULES = {
    "social_care/alerts/outbox.py": "the whole Slack delivery path (claim, fold, render, send, pause) in one place",
    "social_care/reports/compute.py": "the weekly figures, one SQL aggregate each, with their shared week window",
    "social_care/scoring/features.py": "the featurizer's vectorised kernels share private tables; profiled as one unit",
    "social_care/scoring/train.py": "the offline training script (fit, tune, write the card); not on the serving path",
    "social_care/simulator/x_api.py": "the X API endpoint table with its handlers, in the platform's reference order",
    "social_care/web/pages.py": "the queue's routes; the read models are moving to the core",
    "social_care/queue.py": "the queue's ranking, its keyset paging and its filters' SQL, read as one unit",
    "social_care/workflow.py": "the team's operations; the status changes are moving to the life-cycle owner",
}
LONG_FUNCTIONS = {
    "social_care/demo/runner.py::run_demo": "the demo's script, top to bottom: simulator, service, feed, narration",
    "social_care/migrations/versions/0001_initial_schema.py::upgrade": "generated by alembic",
    "social_care/reports/compute.py::compute_report": "one pass over the week's rows for every figure",
    "social_care/reports/render.py::to_markdown": "the report's layout, section by section",
    "social_care/scoring/card.py::write_card": "the model card's text, section by section",
    "social_care/scoring/features.py::featurize": "one vectorised pass (hot path, measured in benchmarks/)",
    "social_care/scoring/train.py::train": "the training recipe in order",
    "social_care/queue.py::list_queue": "one keyset query with its filters",
    "social_care/post_detail.py::load_post_detail": "the post page's read model, one query per part",
}


def _functions(tree: ast.AST, prefix: str = "") -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.ClassDef):
            yield from _functions(node, f"{prefix}{node.name}.")
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield f"{prefix}{node.name}", node
            yield from _functions(node, f"{prefix}{node.name}.")


def long_in(rel: str, text: str) -> tuple[dict[str, int], dict[str, int]]:
    """A file's module and functions over the limits that carry no ``# size:`` reason of their own."""
    lines = text.splitlines()
    modules: dict[str, int] = {}
    functions: dict[str, int] = {}
    if len(lines) > MAX_MODULE_LINES and not any(REASON_MARK in line for line in lines[:10]):
        modules[rel] = len(lines)
    for name, node in _functions(ast.parse(text)):
        first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        length = node.end_lineno - node.lineno + 1 if node.end_lineno else 0
        if length > MAX_FUNCTION_LINES and not (first >= 2 and REASON_MARK in lines[first - 2]):
            functions[f"{rel}::{name}"] = length
    return modules, functions


def long_code() -> tuple[dict[str, int], dict[str, int]]:
    modules: dict[str, int] = {}
    functions: dict[str, int] = {}
    for path in MODULES.values():
        found = long_in(path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8"))
        modules.update(found[0])
        functions.update(found[1])
    return modules, functions


def test_no_module_or_function_too_long_without_a_reason() -> None:
    modules, functions = long_code()
    new_modules = {m: n for m, n in modules.items() if m not in LONG_MODULES}
    new_functions = {f: n for f, n in functions.items() if f not in LONG_FUNCTIONS}
    assert not new_modules and not new_functions, (
        f"over {MAX_MODULE_LINES} lines per module / {MAX_FUNCTION_LINES} per function, with no '{REASON_MARK} why' "
        f"above it: split it, or write the reason: {new_modules} {new_functions}"
    )
    stale = sorted(set(LONG_MODULES) - set(modules)) + sorted(set(LONG_FUNCTIONS) - set(functions))
    assert not stale, f"no longer long (or gone): remove from the allow-list: {stale}"


def test_the_size_check_reads_a_written_reason() -> None:
    body = "\n".join(f"    x = {i}" for i in range(MAX_FUNCTION_LINES))
    long_function = f"def f():\n{body}\n"
    assert long_in("m.py", long_function) == ({}, {"m.py::f": MAX_FUNCTION_LINES + 1})
    assert long_in("m.py", f"# size: one table, read top to bottom\n{long_function}") == ({}, {})
    long_module = "\n".join(f"x{i} = {i}" for i in range(MAX_MODULE_LINES + 1))
    assert long_in("m.py", long_module) == ({"m.py": MAX_MODULE_LINES + 1}, {})
    assert long_in("m.py", f'"""A table."""\n# size: generated\n{long_module}') == ({}, {})
