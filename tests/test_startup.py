"""What `agentzip check PATH` (the pre-commit hook) loads: no dataclass is built and no `dataclasses` import."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agentzip.validator.registry import cleandoc

ROOT = Path(__file__).resolve().parent.parent
GOOD = ROOT / "examples" / "good-agent"

# Runs the check as the console script does, then reports, as JSON on stderr, every loaded agentzip
# module that defines a dataclass or holds a `dataclasses` function (dataclass, field, replace...).
_PROBE = """
import io, json, sys
preloaded = "dataclasses" in sys.modules  # a .pth file of this environment, not agentzip
sys.argv = ["agentzip", "check", {path!r}]
from agentzip.entry import run
out = io.StringIO()
real, sys.stdout = sys.stdout, out
try:
    run()
    code = 0
except SystemExit as e:
    code = e.code
finally:
    sys.stdout = real
offenders = {{}}
for name, module in list(sys.modules.items()):
    if name.split(".")[0] != "agentzip":
        continue
    for attr, value in list(vars(module).items()):
        if isinstance(value, type) and value.__module__ == name and "__dataclass_fields__" in vars(value):
            offenders.setdefault(name, []).append(attr)
        elif getattr(value, "__module__", None) == "dataclasses" or getattr(value, "__name__", None) == "dataclasses":
            offenders.setdefault(name, []).append("dataclasses." + getattr(value, "__name__", attr))
# A named tuple's string annotations are compiled one by one when the class is created: a module
# that defines one must not postpone its annotations (`from __future__ import annotations`).
import __future__
postponed = sorted(
    name
    for name, module in list(sys.modules.items())
    if name.split(".")[0] == "agentzip"
    and getattr(module, "annotations", None) is __future__.annotations
    and any(
        isinstance(v, type) and issubclass(v, tuple) and hasattr(v, "_fields") and v.__module__ == name
        for v in list(vars(module).values())
    )
)
print(json.dumps({{"code": code, "preloaded": preloaded, "loaded": "dataclasses" in sys.modules,
                  "offenders": offenders, "postponed": postponed, "output": out.getvalue()}}), file=sys.stderr)
"""


def _probe(path: Path) -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE.format(path=str(path))],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    result: dict[str, object] = json.loads(proc.stderr.strip().splitlines()[-1])
    return result


# Which of the heavy modules a fresh check loads, and which modules first asked for each.
_WHO = """
import io, json, sys
heavy = set(json.loads(sys.argv[2]))
who = {}
class Watch:
    def find_spec(self, name, path=None, target=None):
        if name in heavy and name not in who:
            f, chain = sys._getframe(1), []
            while f is not None:
                mod = f.f_globals.get("__name__", "")
                if mod.startswith(("agentzip", "packaging")) and mod not in chain:
                    chain.append(mod)
                f = f.f_back
            who[name] = " <- ".join(chain) or "?"
        return None
sys.meta_path.insert(0, Watch())
before = set(sys.modules)
sys.argv = ["agentzip", "check", sys.argv[1]]
from agentzip.entry import run
out = io.StringIO()
real, sys.stdout = sys.stdout, out
code = 0
try:
    run()
except SystemExit as e:
    code = e.code
finally:
    sys.stdout = real
loaded = {m: who.get(m, "?") for m in sorted(heavy & (set(sys.modules) - before))}
sys.stderr.write(json.dumps({"code": code, "output": out.getvalue(), "loaded": loaded}) + "\\n")
"""


def heavy_loaded(path: Path, heavy: list[str]) -> tuple[int, str, dict[str, str]]:
    """(exit status, report, {module: the modules that asked for it}) of a fresh `agentzip check path`."""
    p = subprocess.run(
        [sys.executable, "-c", _WHO, str(path), json.dumps(heavy)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
    )
    assert p.stderr.strip(), p
    found = json.loads(p.stderr.strip().splitlines()[-1])
    return found["code"], found["output"], found["loaded"]


def zip_folder(folder: Path, dest: Path) -> Path:
    """The folder's files as a zip at dest (the small-bundle probes check both kinds)."""
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(folder.rglob("*")):
            if f.is_file():
                zf.write(f, f.relative_to(folder).as_posix())
    return dest


@pytest.mark.parametrize("as_zip", [False, True], ids=["folder", "zip"])
def test_a_check_builds_no_dataclass_and_never_imports_dataclasses(as_zip: bool, tmp_path: Path) -> None:
    path = zip_folder(GOOD, tmp_path / "good-agent.zip") if as_zip else GOOD
    found = _probe(path)
    assert found["code"] == 0, found["output"]
    assert "no problems found" in str(found["output"])
    offenders = found["offenders"]
    assert isinstance(offenders, dict)
    assert not offenders, f"dataclasses on the check path (each costs ~1 ms at start-up): {offenders}"
    if not found["preloaded"]:
        assert not found["loaded"], "`dataclasses` is imported on the check path, by a module outside agentzip"
    assert found["postponed"] == [], "named tuples with postponed annotations (a compile per field at start-up)"


@given(st.text(alphabet=" \t\nab#`-", max_size=80))
def test_cleandoc_reads_docstrings_as_inspect_does(doc: str) -> None:
    # spaces and tabs only: inspect.cleandoc itself strips other whitespace differently across versions
    assert cleandoc(doc) == inspect.cleandoc(doc)


def test_every_rule_docstring_reads_as_inspect_reads_it() -> None:
    from agentzip.api import load_rules
    from agentzip.validator.registry import all_rules

    load_rules()
    rules = all_rules()
    assert len(rules) > 50
    for r in rules:
        doc = inspect.cleandoc(r.func.__doc__ or "")
        assert (r.summary, r.docs) == (doc.partition("\n")[0].strip(), doc.partition("\n")[2].strip()), r.code


def test_records_keep_the_value_semantics_callers_rely_on(tmp_path: Path) -> None:
    from agentzip import api
    from agentzip.validator.bundle import BundleFile
    from agentzip.validator.target import Target

    # a folder file's stamp keys the caches, never equality; a ZipEntry compares by identity (records.py)
    a, b = BundleFile("m.py", 3, mtime=1), BundleFile("m.py", 3, mtime=2)
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert a != BundleFile("m.py", 4) and "mtime" not in repr(a) and "'m.py'" in repr(a)
    # inferred settings do not make another target; replace makes a changed copy and keeps the original
    t = Target(inferred=("runtime",))
    assert t == Target() and hash(t) == hash(Target())
    relaxed = t.replace(glibc_floor=(2, 99))
    assert relaxed.glibc_floor == (2, 99) and t.glibc_floor != (2, 99) and relaxed.inferred == ("runtime",)
    with pytest.raises(TypeError, match="glibc"):
        t.replace(glibc=(2, 99))
    # contexts() still unpacks as the (context, config) pairs it used to yield
    (tmp_path / "main.py").write_text("print('hi')\n")
    (tmp_path / "requirements.txt").write_text("")
    for ctx, cfg in api.contexts(tmp_path):
        assert ctx.target.entry_point == ("python", "main.py") and type(cfg).__name__ == "Config"
