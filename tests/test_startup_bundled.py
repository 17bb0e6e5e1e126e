"""What `agentzip check` of a bundled agent (packages/ with a dist-info) loads: no dataclass, no `dataclasses`, no `email`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Files
from tests.test_startup import _probe, heavy_loaded

INFO = "tinylib-1.0.dist-info"
DIST = f"packages/{INFO}"
# A dist-info as pip and uv write it: METADATA with a long description, WHEEL, RECORD, INSTALLER.
BUNDLED: Files = {
    "main.py": b"from tinylib import hello\n\nprint(hello())\n",
    "requirements.txt": b"tinylib==1.0\n",
    "packages/tinylib/__init__.py": b"def hello() -> str:\n    return 'hi'\n",
    f"{DIST}/METADATA": b"Metadata-Version: 2.1\nName: tinylib\nVersion: 1.0\nRequires-Python: >=3.9\n\n"
    + b"A long description.\n" * 50,
    f"{DIST}/WHEEL": b"Wheel-Version: 1.0\nGenerator: bdist_wheel (0.43.0)\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    f"{DIST}/RECORD": b"tinylib/__init__.py,sha256=x,40\n"
    + f"{INFO}/METADATA,,\n{INFO}/WHEEL,,\n{INFO}/RECORD,,\n{INFO}/INSTALLER,,\n".encode(),
    f"{DIST}/INSTALLER": b"pip\n",
}


def _loaded(path: Path, heavy: list[str]) -> dict[str, str]:
    """Which of `heavy` a fresh `agentzip check path` imports, each with the modules that asked for it."""
    return heavy_loaded(path, heavy)[2]


def test_a_bundled_check_builds_no_dataclass(make_bundle: Callable[[Files], Path]) -> None:
    found = _probe(make_bundle(BUNDLED))
    assert found["code"] == 0, found["output"]
    assert "no problems found" in str(found["output"]), found["output"]
    assert found["offenders"] == {}, f"dataclasses on the bundled check path: {found['offenders']}"
    assert found["postponed"] == [], "named tuples with postponed annotations (a compile per field at start-up)"


def test_a_bundled_check_imports_neither_dataclasses_nor_email(make_bundle: Callable[[Files], Path]) -> None:
    loaded = _loaded(make_bundle(BUNDLED), ["dataclasses", "email", "email.parser", "json", "inspect"])
    assert loaded == {}, "imported by a bundled check: " + "; ".join(f"{m} (from {c})" for m, c in loaded.items())


def test_the_bundle_is_read_as_a_bundle(make_bundle: Callable[[Files], Path]) -> None:
    # the probes above mean something only when the dist-info is read and the import closure walked
    from agentzip import api

    report = api.check(make_bundle(BUNDLED))
    assert not report.findings
    ctx, _ = next(iter(api.contexts(make_bundle(BUNDLED))))
    (d,) = ctx.index.distributions
    assert (d.name, d.version, d.tag_text, d.problems) == ("tinylib", "1.0", ("py3-none-any",), ())
    assert ctx.index.import_closure.modules_visited == 2 and ctx.target.mode == "bundled"  # main, tinylib


@pytest.mark.network
@pytest.mark.parametrize("kind", ["folder", "zip"])
def test_the_real_bundle_builds_no_dataclass_and_reads_no_email(kind: str) -> None:
    # 72 distributions with markers: packaging's tokenizer imports dataclasses there, agentzip builds none
    realwheels = pytest.importorskip("fixtures.realwheels", reason="the real-wheel recipes are not in this checkout")
    path: Path = realwheels.bundle_zip("good") if kind == "zip" else realwheels.bundle("good")
    found = _probe(path)
    assert found["code"] == 0, found["output"]
    assert found["offenders"] == {}, f"dataclasses on the bundled check path: {found['offenders']}"
    assert found["postponed"] == [], "named tuples with postponed annotations (a compile per field at start-up)"
    assert _loaded(path, ["email", "json"]) == {}
