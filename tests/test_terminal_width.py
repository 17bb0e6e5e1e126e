"""terminal.width follows shutil.get_terminal_size's rule for columns, without importing shutil."""

from __future__ import annotations

import shutil

import pytest

from agentzip import terminal


@pytest.mark.parametrize("columns", [None, "", "abc", "0", "-5", "30", "72", "100", "250", " 90 "])
def test_width_agrees_with_shutil(monkeypatch: pytest.MonkeyPatch, columns: str | None) -> None:
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    expected = max(terminal.MIN_WIDTH, shutil.get_terminal_size((terminal.DEFAULT_WIDTH, 24)).columns)
    assert terminal.width() == expected
