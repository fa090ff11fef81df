"""The layers of docs/architecture.md, checked: no import cycle inside boardpack, no module
importing from a layer above its own, and the rules between layers (analyses read the model, never
a source; delivery never reads a source; the model is the contract, importing no settings loader,
store, delivery or AWS code). Reads the source as AST; imports nothing of boardpack."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "boardpack"
# Lowest first. A module may import from its own layer and the ones below. The longest matching name
# wins, so a leaf that sits in a higher package (the address parser the settings use) is placed by
# itself.
LAYERS = (
    (
        "foundation",
        (
            "boardpack",
            "boardpack.errors",
            "boardpack.files",
            "boardpack.terminal",
            "boardpack.period",
            "boardpack.currencies",
            "boardpack.environment",
            "boardpack.cron",
            "boardpack.delivery.addresses",
            "boardpack.figures",
            "boardpack.links",
            "boardpack.csv_file",
            "boardpack.aws_clients",
            "boardpack.plugins",
        ),
    ),
    ("settings", ("boardpack.config",)),
    ("model and stores", ("boardpack.model", "boardpack.audit")),
    ("sources", ("boardpack.sources", "boardpack.live")),
    ("analyses", ("boardpack.analyses",)),
    ("reports", ("boardpack.reports",)),
    ("render", ("boardpack.render",)),
    ("delivery", ("boardpack.delivery", "boardpack.feedback", "boardpack.alerts")),
    (
        "the pipeline",
        ("boardpack.pipeline", "boardpack.preview", "boardpack.schedule", "boardpack.watching"),
    ),
    ("aws", ("boardpack.aws",)),
    ("command line", ("boardpack.cli", "boardpack.demo", "boardpack.__main__")),
)


# (importer, imported, why): never, even where the layers would allow it.
NEVER = (
    ("boardpack.analyses", "boardpack.sources", "an analysis reads the model, never a source"),
    ("boardpack.delivery", "boardpack.sources", "delivery sends what was built, reads no source"),
)
# The same, for the imports that run: the model may name the settings' types for a type checker
# (the Portfolio's `Workspace`), and loads none of them.
NEVER_RUNS = (
    ("boardpack.model", "boardpack.config", "the model loads no settings"),
    ("boardpack.model", "boardpack.audit", "the model reads no store"),
    ("boardpack.model", "boardpack.delivery", "the model sends nothing"),
    ("boardpack.model", "boardpack.aws", "the model calls no AWS"),
    ("boardpack.model", "boardpack.aws_clients", "the model calls no AWS"),
)


def modules(src: Path = SRC) -> dict[str, Path]:
    return {
        ".".join(p.relative_to(src.parent).with_suffix("").parts).removesuffix(".__init__"): p
        for p in src.rglob("*.py")
    }


def type_checking_only(tree: ast.Module) -> set[ast.AST]:
    """The import statements under `if TYPE_CHECKING:`, which never run."""
    return {
        node
        for branch in ast.walk(tree)
        if isinstance(branch, ast.If) and ast.unparse(branch.test).endswith("TYPE_CHECKING")
        for statement in branch.body
        for node in ast.walk(statement)
    }


def import_graph(src: Path = SRC, typing: bool = True) -> dict[str, set[str]]:
    """Module -> the boardpack modules it imports, at the top or inside a function alike; with
    `typing=False`, only the imports that run (not those under `if TYPE_CHECKING:`)."""
    known = modules(src)
    graph = {}
    for name, path in known.items():
        found = set()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skipped = set() if typing else type_checking_only(tree)
        for node in ast.walk(tree):
            if node in skipped:
                continue
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                # `from package import submodule` imports the submodule; any other name, the module
                # itself
                targets = [
                    f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in known else node.module
                    for a in node.names
                ]
            else:
                continue
            for target in targets:
                while target and target not in known:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    found.add(target)
        graph[name] = found
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other, around (Tarjan's strongly connected
    components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = stack[stack.index(v) :]
            del stack[stack.index(v) :]
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def layer_of(module: str) -> int:
    matches = [
        (len(prefix), n)
        for n, (_, prefixes) in enumerate(LAYERS)
        for prefix in prefixes
        if module == prefix or (prefix != "boardpack" and module.startswith(prefix + "."))
    ]
    assert matches, f"{module} is in no layer: add it to LAYERS and docs/architecture.md"
    return max(matches)[1]


def test_no_module_imports_itself_around():
    assert cycles(import_graph()) == []


def test_no_module_imports_from_a_layer_above_its_own():
    upward = sorted(
        f"{a} ({LAYERS[layer_of(a)][0]}) imports {b} ({LAYERS[layer_of(b)][0]})"
        for a, targets in import_graph().items()
        for b in targets
        if layer_of(b) > layer_of(a)
    )
    assert upward == []


def inside(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def broken_rules(graph: dict[str, set[str]], rules=NEVER + NEVER_RUNS) -> list[str]:
    return sorted(
        f"{a} imports {b}: {why}"
        for a, targets in graph.items()
        for b in targets
        for importer, imported, why in rules
        if inside(a, importer) and inside(b, imported)
    )


def test_analyses_delivery_and_the_model_keep_the_rules():
    assert broken_rules(import_graph(), NEVER) == []
    assert broken_rules(import_graph(typing=False), NEVER + NEVER_RUNS) == []


def test_a_type_checking_import_is_only_a_name():
    """The model names the settings' Workspace for a type checker, and the check tells that import
    from one that runs."""
    everything, running = import_graph(), import_graph(typing=False)
    assert "boardpack.config" in everything["boardpack.model.portfolio"]
    assert "boardpack.config" not in running["boardpack.model.portfolio"]


def test_the_check_sees_a_cycle_an_upward_import_and_a_broken_rule():
    """The checks above, shown to fail on a made-up graph."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert broken_rules(
        {
            "boardpack.analyses.finance": {"boardpack.sources.books", "boardpack.model"},
            "boardpack.model.portfolio": {"boardpack.audit.store"},
            "boardpack.reports.roles": {"boardpack.sources"},
        }
    ) == [
        "boardpack.analyses.finance imports boardpack.sources.books: an analysis reads the model,"
        " never a source",
        "boardpack.model.portfolio imports boardpack.audit.store: the model reads no store",
    ]
    assert layer_of("boardpack.config") < layer_of("boardpack.delivery.plan")
    assert layer_of("boardpack.delivery.addresses") < layer_of("boardpack.config")
