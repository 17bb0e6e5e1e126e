"""Requires-Dist lines repeated across a bundle's distributions are read once, and read as before."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import Files


def _dist(name: str, *requires: str) -> Files:
    info = f"packages/{name}-1.0.dist-info"
    lines = "".join(f"Requires-Dist: {r}\n" for r in requires)
    return {
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n{lines}\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nTag: py3-none-any\n",
        f"{info}/RECORD": f"{name}/__init__.py,,\n",
        f"packages/{name}/__init__.py": "",
    }


def test_a_repeated_line_is_one_requirement_and_a_repeated_bad_line_a_problem_each(
    make_bundle: Callable[[Files], Path],
) -> None:
    from agentzip.validator.bundle import Bundle
    from agentzip.validator.distributions import load_distributions

    shared, marker, bad = "b>=1", 'c[x]==2; extra == "y"', "d ==="
    files = {**_dist("a1", shared, marker, bad), **_dist("a2", marker, shared, bad), **_dist("a3", "e<2")}
    a1, a2, a3 = load_distributions(Bundle.open(make_bundle(files)))
    assert [str(r) for r in a1.requires_dist] == ["b>=1", 'c[x]==2; extra == "y"']
    assert [str(r) for r in a2.requires_dist] == ['c[x]==2; extra == "y"', "b>=1"]
    assert a1.requires_dist[0] is a2.requires_dist[1]  # read once
    assert [str(r) for r in a3.requires_dist] == ["e<2"]
    for d in (a1, a2):
        (problem,) = d.problems
        assert problem.startswith("METADATA Requires-Dist 'd ===' is invalid (")
