"""A check of a bundled folder loads neither the zip reader nor, once the memo is warm, packaging, typing or pathlib."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import test_startup
from tests.conftest import write_folder
from tests.test_startup import heavy_loaded
from tests.test_startup_bundled import BUNDLED

# An editable install's finder imports pathlib before agentzip starts (see test_startup_pathlib.py).
_FORGET = "import sys\nsys.modules.pop('pathlib', None)\n"
# What a warm check of a bundle with packages/ must not load: the memo answers packaging's questions.
WARM_HEAVY = [
    "agentzip.validator.zip",
    "mmap",
    "packaging",
    "typing",
    "pathlib",
    "logging",
    "subprocess",
    "dataclasses",
    "email",
    "platform",
]


def test_a_bundled_folder_check_does_not_load_the_zip_reader(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "agent", BUNDLED)
    code, output, loaded = heavy_loaded(folder, ["agentzip.validator.zip", "agentzip.validator.zip.reader", "mmap"])
    assert code == 0 and "no problems found" in output, output
    assert loaded == {}, "imported by a folder check: " + "; ".join(f"{m} (from {c})" for m, c in loaded.items())


def test_a_warm_bundled_folder_check_loads_nothing_heavy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AGENTZIP_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(test_startup, "_WHO", _FORGET + test_startup._WHO)
    folder = write_folder(tmp_path / "agent", BUNDLED)
    code, cold, loaded = heavy_loaded(folder, WARM_HEAVY)
    assert code == 0 and "no problems found" in cold, cold
    assert "packaging" in loaded  # the first run asks packaging (Requires-Python) and remembers
    code, warm, loaded = heavy_loaded(folder, WARM_HEAVY)
    assert code == 0 and warm == cold
    assert loaded == {}, "imported by a warm check: " + "; ".join(f"{m} (from {c})" for m, c in loaded.items())
