"""Every quality flag the gait trackers can write to a step is explained in docs/FORMAT.md, where a
runner or coach reading steps.csv looks it up. The flags are read from the code (string literals
appended to a step's flags), so a new flag without its line in the table turns this red."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _flags_in(path: Path) -> set[str]:
    """String literals in `<x>.flags.append("...")`, `flags.append("...")` and `flags=["..."]`."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "append":
            target = node.func.value
            name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
            if name == "flags" and node.args and isinstance(node.args[0], ast.Constant):
                out.add(node.args[0].value)
        if isinstance(node, ast.keyword) and node.arg == "flags" and isinstance(node.value, ast.List):
            out |= {e.value for e in node.value.elts if isinstance(e, ast.Constant)}
    return out


def test_every_step_flag_is_documented():
    flags = set().union(*(_flags_in(p) for p in (ROOT / "live" / "gait").glob("*.py")))
    assert {"feet_hidden", "landing_by_hip", "no_toe_off", "leg_hidden", "ankle_hidden"} <= flags  # the reader works
    doc = (ROOT / "docs" / "FORMAT.md").read_text()
    assert sorted(f for f in flags if f"`{f}`" not in doc) == []
