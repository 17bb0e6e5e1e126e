"""Our wheel tags give packaging.tags' answers, and a check of a tagged bundle never imports packaging.tags."""

from __future__ import annotations

import pickle
import string
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from packaging import tags as theirs

from agentzip.api import check, contexts
from agentzip.validator.target import Target
from agentzip.validator.wheeltags import Tag, TooManyTags, parse_tag, supported
from tests.conftest import Files, codes
from tests.test_startup import heavy_loaded

# packaging 26.3 made parse_tag strict (empty members, non-identifier interpreters); older ones
# accept those, and we follow the strict behaviour.
STRICT = hasattr(theirs, "InvalidTag")

REAL = [
    "py3-none-any",
    "py2.py3-none-any",
    "cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64",
    "cp38-abi3-manylinux_2_5_x86_64.manylinux1_x86_64",
    "cp313-cp313-win_amd64",
    "CP313-CP313-MANYLINUX_2_28_X86_64",
    "pp310-pypy310_pp73-manylinux_2_17_x86_64",
    "cp314-cp314t-musllinux_1_2_x86_64",
    "py3-none-macosx_10_9_x86_64.macosx_11_0_arm64",
]
BAD = ["", "py3", "py3-none", "py3-none-any-extra", "py3--any", ".py3-none-any", "py3-none-any.", "3py-none-any"]
BAD += ["py-3-none-any", "py3-none-", "-none-any", "py 3-none-any", "py3.-none-any", "3é-none-any"]


def _outcome(parse: Callable[[str], frozenset[object]], text: str) -> set[str] | str:
    """The tags as text, or 'ValueError'."""
    try:
        return {str(t) for t in parse(text)}
    except ValueError:
        return "ValueError"


def _tag_texts() -> st.SearchStrategy[str]:
    member = st.text(alphabet=string.ascii_letters + string.digits + "_ é3", max_size=5)
    component = st.lists(member, min_size=1, max_size=3).map(".".join)
    return st.lists(component, min_size=0, max_size=4).map("-".join)


@pytest.mark.skipif(not STRICT, reason="packaging before 26.3 accepts empty tag members")
@settings(max_examples=300, deadline=None)
@given(st.one_of(_tag_texts(), st.text(alphabet="ab3.-_ ", max_size=20), st.sampled_from(REAL + BAD)))
@example("py2.py3-none-any")
def test_parse_tag_is_packagings(text: str) -> None:
    assert _outcome(parse_tag, text) == _outcome(theirs.parse_tag, text)


@pytest.mark.parametrize("text", REAL)
def test_parse_tag_reads_real_tags(text: str) -> None:
    ours = parse_tag(text)
    assert {str(t) for t in ours} == {str(t) for t in theirs.parse_tag(text)}
    assert all(str(t) == str(t).lower() for t in ours)


@pytest.mark.parametrize("text", BAD)
def test_parse_tag_rejects_what_packaging_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_tag(text)
    if STRICT:
        with pytest.raises(ValueError):
            theirs.parse_tag(text)


def test_parse_tag_limit_fails_before_expanding() -> None:
    huge = "-".join(".".join(f"x{i}" for i in range(10_000)) for _ in range(3))  # 10^12 tags
    with pytest.raises(TooManyTags):
        parse_tag(huge, limit=100)
    assert len(parse_tag("a.b-c.d-e", limit=4)) == 4
    with pytest.raises(TooManyTags):
        parse_tag("a.b-c.d-e", limit=3)


def test_tag_is_lowercased_printed_and_pickled_as_packagings() -> None:
    t = Tag("CP313", "Abi3", "Manylinux2014_X86_64")
    assert (t.interpreter, t.abi, t.platform) == ("cp313", "abi3", "manylinux2014_x86_64")
    assert str(t) == str(theirs.Tag("CP313", "Abi3", "Manylinux2014_X86_64")) == "cp313-abi3-manylinux2014_x86_64"
    assert pickle.loads(pickle.dumps(t)) == t and t in {Tag("cp313", "abi3", "manylinux2014_x86_64")}
    # never equal across the two types: code where they meet converts explicitly
    assert theirs.Tag("cp313", "abi3", "x") != Tag("cp313", "abi3", "x")


@pytest.mark.parametrize("glibc", [(2, 5), (2, 17), (2, 28), (2, 34), (2, 39)])
@pytest.mark.parametrize("minor", range(8, 15))
def test_supported_is_packagings(minor: int, glibc: tuple[int, int]) -> None:
    platforms = Target(glibc_floor=glibc).platforms
    cp = f"cp3{minor}"
    want = {str(t) for t in theirs.cpython_tags((3, minor), abis=[cp], platforms=platforms)}
    want |= {str(t) for t in theirs.compatible_tags((3, minor), interpreter=cp, platforms=platforms)}
    got = supported((3, minor), platforms)
    assert {str(t) for t in got} == want
    assert len(got) == len(want) and all(isinstance(t, Tag) for t in got)


def test_target_supported_tags_are_ours() -> None:
    tags = Target(runtime="python_3_14", glibc_floor=(2, 28)).supported_tags
    assert Tag("cp314", "cp314", "manylinux_2_28_x86_64") in tags
    assert Tag("cp314", "cp314", "manylinux_2_29_x86_64") not in tags
    assert Target(runtime="dotnet_10").supported_tags == frozenset()


INFO = "fastlib-1.0.dist-info"
WHEEL = (
    b"Wheel-Version: 1.0\nGenerator: bdist_wheel (0.43.0)\nRoot-Is-Purelib: false\n"
    b"Tag: cp313-cp313-manylinux_2_17_x86_64\nTag: cp313-cp313-manylinux2014_x86_64\n"
)
# METADATA without Requires-Dist or Requires-Python: those still load packaging.requirements/specifiers
TAGGED: Files = {
    "main.py": b"import fastlib\n\nprint(fastlib.hello())\n",
    "requirements.txt": b"fastlib==1.0\n",
    "packages/fastlib/__init__.py": b"def hello() -> str:\n    return 'hi'\n",
    f"packages/{INFO}/METADATA": b"Metadata-Version: 2.1\nName: fastlib\nVersion: 1.0\n\nA description.\n",
    f"packages/{INFO}/WHEEL": WHEEL,
    f"packages/{INFO}/RECORD": f"fastlib/__init__.py,,\n{INFO}/METADATA,,\n{INFO}/WHEEL,,\n{INFO}/RECORD,,\n".encode(),
    f"packages/{INFO}/INSTALLER": b"pip\n",
}


def test_a_tagged_bundle_is_checked_without_packaging_tags(make_bundle: Callable[[Files], Path]) -> None:
    path = make_bundle(TAGGED)
    ctx, _ = next(iter(contexts(path)))
    (d,) = ctx.index.distributions
    assert d.tags == {Tag("cp313", "cp313", "manylinux_2_17_x86_64"), Tag("cp313", "cp313", "manylinux2014_x86_64")}
    assert d.tags & ctx.target.supported_tags and not check(path).findings  # the tags were compared
    code, output, loaded = heavy_loaded(path, ["packaging.tags", "packaging.utils", "logging", "subprocess"])
    assert code == 0, output
    assert loaded == {}, "imported by the check: " + "; ".join(f"{m} (from {c})" for m, c in loaded.items())


@pytest.mark.parametrize(
    ("tags", "why"),
    [
        (b"Tag: cp313-cp313-win_amd64\n", "(platform win_amd64: Windows)"),
        (b"Tag: cp312-cp312-manylinux_2_17_x86_64\n", "(Python cp312-cp312 is not cp313)"),
    ],
)
def test_a_foreign_tag_is_still_found(make_bundle: Callable[[Files], Path], tags: bytes, why: str) -> None:
    report = check(make_bundle({**TAGGED, f"packages/{INFO}/WHEEL": b"Wheel-Version: 1.0\n" + tags}))
    assert codes(report) == ["incompatible-wheel-tag"]
    assert why in report.findings[0].message, report.findings[0].message


def test_a_wheel_whose_tags_explode_is_read_within_bounds(make_bundle: Callable[[Files], Path]) -> None:
    line = "-".join(".".join(f"x{i}" for i in range(3000)) for _ in range(3))  # 2.7 * 10^10 tags
    files = {**TAGGED, f"packages/{INFO}/WHEEL": f"Wheel-Version: 1.0\nTag: {line}\n".encode()}
    ctx, _ = next(iter(contexts(make_bundle(files))))
    (d,) = ctx.index.distributions
    assert d.tags == frozenset()
    assert any("more than 4096 tags" in p for p in d.problems), d.problems
