"""Import layers: cli -> studio -> render -> profiles -> {tts, text, jobs, assemble} -> ingest -> errors.

A module may import its own subpackage and any lower layer, never a higher one nor a sibling of its layer;
and no two modules import each other, directly or around a circle (function-local imports count too)."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "audiobook_tts"
LAYERS = [
    {"errors"},
    {"ingest"},
    {"tts", "text", "jobs", "assemble"},
    {"profiles"},
    {"render"},
    {"studio"},
    {"cli"},
]
LAYER = {name: level for level, names in enumerate(LAYERS) for name in names}


def imports() -> dict[str, set[str]]:
    """module -> the audiobook_tts modules it imports ("audiobook_tts.render.plan", ...)."""
    trees = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        trees[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = ast.parse(path.read_text("utf-8"))
    graph = {}
    for module, tree in trees.items():
        found = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("audiobook_tts"):
                # `from package import submodule` imports the submodule, not the package's names
                for alias in node.names:
                    submodule = f"{node.module}.{alias.name}"
                    found.add(submodule if submodule in trees else node.module)
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names if a.name.startswith("audiobook_tts")}
        graph[module] = found - {module}
    return graph


def stage(module: str) -> str:
    return module.split(".")[1] if module.count(".") else ""


def test_no_import_runs_up_or_sideways():
    wrong = [
        f"{module} imports {target}"
        for module, targets in imports().items()
        if stage(module) in LAYER  # the package root (the public API) may import any stage
        for target in targets
        if stage(target) != stage(module) and LAYER.get(stage(target), -1) >= LAYER[stage(module)]
    ]
    assert wrong == []


def test_no_import_cycle():
    graph = imports()
    done, path = set(), []

    def visit(module: str) -> None:
        assert module not in path, "import cycle: " + " -> ".join([*path[path.index(module) :], module])
        if module in done:
            return
        path.append(module)
        for target in sorted(graph.get(module, ())):
            if target in graph:
                visit(target)
        path.pop()
        done.add(module)

    for module in sorted(graph):
        visit(module)
