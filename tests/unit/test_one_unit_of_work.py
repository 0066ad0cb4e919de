"""One unit of work per request (STYLE §4, issue 10.6): no page commits or
rolls back by itself; `casesys.core.units` does, for every view. Only the
adapters outside requests keep their own transactions, each named here with
its reason."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "casesys"

# module → the calls it may make, and why
OWN_TRANSACTIONS = {
    "core/units.py": {"commit", "rollback"},         # the one helper
    "jobs/worker.py": {"commit", "rollback"},        # each claim, heartbeat and job is its own unit
    "jobs/scheduler.py": {"commit", "rollback"},     # each timed slot is enqueued once
    "referrals/exchange.py": {"commit", "rollback"},  # machine-to-machine: a refusal is logged, a duplicate answered
    "core/errors.py": {"rollback"},                  # the 500 page: whatever was half done goes
    "core/views.py": {"rollback"},                   # the health check's failed read
}


def _session_calls(path: Path) -> list[tuple[int, str]]:
    calls = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("commit", "rollback")
                and isinstance(node.func.value, ast.Attribute) and node.func.value.attr == "session"):
            calls.append((node.lineno, node.func.attr))
    return calls


def _is_cli(relative: str) -> bool:
    """CLI commands and the demo data: adapters that commit what they did."""
    return relative.endswith("commands.py") or relative.startswith("demo/") or "/demo" in relative


def test_no_view_commits_or_rolls_back_by_itself():
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if _is_cli(relative):
            continue
        allowed = OWN_TRANSACTIONS.get(relative, set())
        found += [f"{relative}:{line} db.session.{call}()" for line, call in _session_calls(path) if call not in allowed]
    assert found == [], "commit through casesys.core.units (unit_of_work / commit_unit):\n" + "\n".join(found)


def test_every_views_module_is_checked():
    """The test above sees the pages: each views module is found and none is excused."""
    views = [p.relative_to(ROOT).as_posix() for p in ROOT.rglob("views.py")]
    assert len(views) >= 10
    assert not any(v in OWN_TRANSACTIONS and "commit" in OWN_TRANSACTIONS[v] for v in views)
    assert not any(_is_cli(v) for v in views)
