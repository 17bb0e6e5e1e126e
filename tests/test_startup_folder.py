"""A check of a folder never loads the zip reader: its entries are files, read with os calls."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import write_folder
from tests.test_startup import heavy_loaded
from tests.test_startup_bundled import BUNDLED


def test_a_bundled_folder_check_does_not_load_the_zip_reader(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "agent", BUNDLED)
    code, output, loaded = heavy_loaded(folder, ["agentzip.validator.zip", "agentzip.validator.zip.reader", "mmap"])
    assert code == 0 and "no problems found" in output, output
    assert loaded == {}, "imported by a folder check: " + "; ".join(f"{m} (from {c})" for m, c in loaded.items())
