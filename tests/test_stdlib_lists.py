"""The target's stdlib names come from stdlib-list's own data files, read without importing the package."""

from __future__ import annotations

import pytest
import stdlib_list

from agentzip.validator import stdlib
from tests.test_startup import GOOD, heavy_loaded


def test_every_list_reads_as_stdlib_list_reads_it() -> None:
    assert sorted(stdlib.known_versions()) == sorted(stdlib_list.short_versions)
    for v in stdlib_list.short_versions:
        assert stdlib.listed(v) == tuple(stdlib_list.stdlib_list(v)), v


def test_a_small_check_imports_neither_stdlib_list_nor_importlib() -> None:
    # nor what else a small check used to load for one use: zlib, the utf-8-sig codec
    heavy = ["stdlib_list", "pkgutil", "importlib", "importlib.util", "warnings", "zlib", "encodings.utf_8_sig"]
    code, output, loaded = heavy_loaded(GOOD, heavy)
    assert code == 0, output
    assert loaded == {}, "imported by the check: " + "; ".join(f"{m} (from {c})" for m, c in loaded.items())


def test_without_the_lists_folder_the_package_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stdlib, "_lists", dict)
    stdlib.known_versions.cache_clear()
    stdlib.listed.cache_clear()
    try:
        assert sorted(stdlib.known_versions()) == sorted(stdlib_list.short_versions)
        assert stdlib.listed("3.13") == tuple(stdlib_list.stdlib_list("3.13"))
    finally:
        stdlib.known_versions.cache_clear()
        stdlib.listed.cache_clear()
