"""terminal.width follows shutil.get_terminal_size's rule for columns, without importing shutil."""

from __future__ import annotations

import shutil
import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agentzip import terminal


@pytest.mark.parametrize("columns", [None, "", "abc", "0", "-5", "30", "72", "100", "250", " 90 "])
def test_width_agrees_with_shutil(monkeypatch: pytest.MonkeyPatch, columns: str | None) -> None:
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    expected = max(terminal.MIN_WIDTH, shutil.get_terminal_size((terminal.DEFAULT_WIDTH, 24)).columns)
    assert terminal.width() == expected


@given(
    st.lists(
        st.sampled_from(["a", "b", "-", "/", ".", " ", "  ", "\t", "\n", "\r", "\x0b", "\xa0", "cp313-win"]),
        max_size=40,
    ).map("".join),
    st.integers(min_value=1, max_value=60),
    st.sampled_from(["", "  ", "- ", "error: "]),
    st.sampled_from(["", "    ", "\t"]),
)
def test_fill_wraps_as_textwrap_does(text: str, cols: int, first: str, rest: str) -> None:
    expected = textwrap.wrap(
        text, cols, initial_indent=first, subsequent_indent=rest, break_long_words=False, break_on_hyphens=False
    )
    assert terminal.fill(text, cols, first, rest) == (expected or [first.rstrip()])
