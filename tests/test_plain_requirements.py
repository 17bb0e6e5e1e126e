"""Ordinary requirement lines read without packaging: the same requirement, problem and findings as packaging gives."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.requirements import InvalidRequirement, Requirement

from agentzip.api import check
from agentzip.validator.plainrequirement import PlainRequirement, read_plain, specifier_clauses
from agentzip.validator.projectname import canonicalize_name
from agentzip.validator.requirements import parse_line
from tests.test_rules_dependencies import MAIN, dist, reqs


@pytest.mark.parametrize(
    ("line", "plain"),
    [
        ("Name==1.0", True),
        ("a[b,c]>=1,<2", True),
        ("a [ b , c ] >= 1 , < 2", True),
        ("x==1.*", True),
        ("x!=1.2.*", True),
        ("x~=1.4", True),
        ("azure-ai-agentserver-responses==2.3.0", True),
        ("x", True),
        ("x~=1", False),  # invalid for packaging: ~= needs two release segments
        ("x>=1.0.*", False),  # invalid: .* only after == and !=
        ("x==1.0+local", False),
        ("x===foo", False),
        ("x>=1.0rc1", False),
        ("x>=v1", False),
        ("x>=1!2.0", False),
        ("x (>=1)", False),
        ("x>=1,>=1.0", False),  # packaging folds the duplicate; its spelling decides
        ('x ; python_version<"3.14"', False),
        ("x @ https://example.org/x-1.0-py3-none-any.whl", False),
        ("x_", False),
        ("x[]", False),
    ],
)
def test_plain_lines_and_the_rest(line: str, plain: bool) -> None:
    ln = parse_line("requirements.txt", 1, line)
    assert (read_plain(line) is not None) is plain
    assert isinstance(ln.requirement, PlainRequirement) is plain
    try:
        want: Requirement | None = Requirement(line)
        problem = None
    except InvalidRequirement as e:
        want, problem = None, f"not a valid requirement ({str(e).splitlines()[0]})"
    assert ln.problem == problem
    if want is None:
        assert ln.requirement is None
        return
    got = ln.requirement
    assert got is not None
    assert (got.name, set(got.extras), got.url, str(got.specifier)) == (
        want.name,
        want.extras,
        want.url,
        str(want.specifier),
    )
    assert str(got.marker) == str(want.marker) and str(got) == str(want)


def test_the_specifier_set_is_built_only_when_asked() -> None:
    r = read_plain("a[b]>=1,<2")
    assert r is not None and r._specifier is None
    assert specifier_clauses(r) == ((">=", "1"), ("<", "2")) and r._specifier is None
    assert r.specifier.contains("1.5") and not r.specifier.contains("2.0")
    assert r._specifier is r.specifier  # built once
    assert r == read_plain("A[B] >= 1 , < 2") and r != read_plain("a[b]>=1")
    assert repr(r) == "<PlainRequirement('a[b]<2,>=1')>"


def test_an_egg_fragment_names_its_project() -> None:
    ln = parse_line("requirements.txt", 1, "git+https://github.com/org/repo.git#egg=My_Lib")
    assert ln.location is not None and ln.requirement is not None and ln.requirement.name == "My_Lib"
    assert canonicalize_name(ln.requirement.name) == "my-lib"


@pytest.mark.parametrize(
    ("lines", "unpinned"),
    [
        (["requests==2.32.3", "Flask[async]==3.1.0", "x===foo"], []),  # clean: every line pinned
        (["requests==2.32.3", "-c constraints.txt", "idna"], []),  # pinned by the constraints file
        (["requests>=2,<3", "flask==3.*", "idna~=3.7"], ["requests", "flask", "idna"]),
        (["x ; python_version<'4'", "y===1.0"], ["x"]),
    ],
)
def test_unpinned_requirement_reads_plain_and_packaging_lines_alike(make_bundle, lines, unpinned) -> None:  # type: ignore[no-untyped-def]
    files = {**MAIN, **reqs(*lines), "constraints.txt": "idna==3.10\n"}
    report = check(make_bundle(files), select=["unpinned-requirement"], mode="remote_build")
    if not unpinned:
        assert not report.findings, report.findings
        return
    (f,) = report.findings
    assert f.rule == "unpinned-requirement" and f"{len(unpinned)} requirement(s) without an exact `==` pin" in f.message
    assert all(f"{name} (line {n})" in f.message for n, name in enumerate(unpinned, 1)), f.message


@pytest.mark.parametrize(
    ("line", "fires"),
    [
        ("requests>=2,<3", False),
        ("requests==2.*", False),
        ("requests[socks]~=2.31", False),
        ("requests>=3", True),
        ("requests!=2.32.*", True),
    ],
)
def test_requirement_not_bundled_checks_plain_specifiers(make_bundle, line, fires) -> None:  # type: ignore[no-untyped-def]
    files = {**MAIN, **reqs(line), **dist("requests", "2.32.3")}
    report = check(make_bundle(files), select=["requirement-not-bundled"], mode="bundled")
    assert ("requirement-not-bundled" in [f.rule for f in report.findings]) is fires, report.findings
    if fires:
        assert "but the bundle has 2.32.3" in report.findings[0].message


@given(st.binary(max_size=40), st.booleans())
def test_a_requirements_file_decodes_as_utf_8_sig_does(data: bytes, bom: bool) -> None:
    from agentzip.validator.requirements import decode

    data = (b"\xef\xbb\xbf" if bom else b"") + data
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return  # UTF-16, decoded as such
    assert decode(data) == data.decode("utf-8-sig", errors="replace")
