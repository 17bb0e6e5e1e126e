"""The pyproject.toml screen: every TOML spelling of [tool.agentzip] is parsed, other files are not."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agentzip.validator.config import could_hold_tool_table, find

tomllib = pytest.importorskip("tomllib", reason="the generator checks its documents with Python 3.11's tomllib")
ROOT = Path(__file__).resolve().parent.parent

quote = st.sampled_from(["", '"', "'"])
blank = st.sampled_from(["", " ", "\t", "  "])


@st.composite
def tool_table(draw: st.DrawFn) -> str:
    """A TOML document that has a tool.agentzip table, in one of the spellings TOML allows."""
    q1, q2 = draw(quote), draw(quote)
    b1, b2, b3 = draw(blank), draw(blank), draw(blank)
    tool, name = f"{q1}tool{q1}", f"{q2}agentzip{q2}"
    form = draw(st.sampled_from(["header", "subtable", "dotted", "under-tool", "inline", "array"]))
    before = draw(st.sampled_from(["", '[project]\nname = "agentzip"\n', "# agentzip\n", "\n\n"]))
    body = {
        "header": f"[{b1}{tool}{b2}.{b3}{name}{b1}]\nselect = ['AZ101']\n",
        "subtable": f"[{tool}{b2}.{b3}{name}.per-path-ignores]\n'a.py' = ['AZ101']\n",
        "dotted": f"{tool}{b2}.{b3}{name}.select = ['AZ101']\n",
        "under-tool": f"[{b1}{tool}{b1}]\n{name}{b2}={b3}{{select = ['AZ101']}}\n",
        "inline": f"{b1}{tool}{b2}={b3}{{{name} = {{select = ['AZ101']}}}}\n",
        "array": f"[[{tool}.{name}]]\nselect = ['AZ101']\n",
    }[form]
    text = before + body if form in ("header", "subtable", "under-tool", "array") else body + before
    return text


@given(tool_table())
def test_every_spelling_of_the_table_is_parsed(text: str) -> None:
    doc = tomllib.loads(text)
    assert "agentzip" in doc["tool"]  # the generator spells a real table
    assert could_hold_tool_table(text, "agentzip")


@pytest.mark.parametrize(
    "text",
    [
        '[project]\nname = "agentzip"\n[project.scripts]\nagentzip = "agentzip.entry:run"\n',
        '[project]\nname = "my-agent"\ndependencies = ["agentzip>=0.1"]\n[tool.ruff]\nline-length = 120\n',
        "[tool.ruff]\nline-length = 120\n# run agentzip check before upload\n",
        "",
    ],
)
def test_a_file_that_only_names_agentzip_is_not_parsed(text: str) -> None:
    assert not could_hold_tool_table(text, "agentzip")


def test_an_escaped_key_is_parsed() -> None:
    text = '[tool."\\u0061gentzip"]\nselect = ["AZ101"]\n'
    assert "agentzip" in tomllib.loads(text)["tool"]
    assert could_hold_tool_table(text, "agentzip")


def test_this_repository_needs_no_toml_parser() -> None:
    """Our own pyproject.toml names agentzip only as a project and a script: the benchmark's case."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert "agentzip" in text and not could_hold_tool_table(text, "agentzip")


def test_broken_toml_that_cannot_hold_the_table_does_not_stop_a_check(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project\nname = "agentzip"\n', encoding="utf-8")
    agent = tmp_path / "agent"
    agent.mkdir()
    assert find(agent) is None


def test_blank_lines_stay_linear() -> None:
    import time

    text = "agentzip\n" + "\n" * 2_000_000 + " " * 100_000
    start = time.process_time()
    assert not could_hold_tool_table(text, "agentzip")
    assert time.process_time() - start < 2.0
