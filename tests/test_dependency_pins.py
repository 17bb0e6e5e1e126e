"""Behaviour pins for the dependency rules and the target's tags: each case fails under a known wrong change."""

from __future__ import annotations

import time

import pytest

from agentzip.api import check
from agentzip.validator.requirements import LINE_LIMIT, SourceKind, logical_lines, parse_line
from agentzip.validator.stdlib import REMOVED
from agentzip.validator.target import Target
from agentzip.validator.wheeltags import Tag
from tests.conftest import codes
from tests.test_rules_dependencies import GOOD, MAIN, dist, reqs, wheel_bytes

WHEEL = "wheels/requests-2.32.3-py3-none-any.whl"


@pytest.mark.parametrize(
    ("requirement", "mode", "fires"),
    [
        # Remote build pip-installs a wheel requirements.txt names: legitimate there.
        (f"./{WHEEL}", "remote_build", False),
        ("--find-links ./wheels", "remote_build", False),
        # Bundled mode installs nothing: the same wheel is dead weight and its modules are missing.
        (f"./{WHEEL}", "bundled", True),
        ("--find-links ./wheels", "bundled", True),
        # Not referenced: fires in both modes.
        ("requests", "remote_build", True),
    ],
)
def test_raw_wheel_referenced_by_requirements(make_bundle, requirement, mode, fires) -> None:  # type: ignore[no-untyped-def]
    files = {**GOOD, **reqs(requirement), WHEEL: wheel_bytes()}
    report = check(make_bundle(files), select=["raw-wheel"], mode=mode)
    assert ("raw-wheel" in codes(report)) is fires, report.findings


@pytest.mark.parametrize(
    ("tag", "floor", "severity"),
    [
        # A wheel built on Linux (pip wheel from an sdist) installs on the target: no finding.
        ("cp313-cp313-linux_x86_64", (2, 17), None),
        ("py3-none-linux_x86_64", (2, 17), None),
        # The glibc floor is inclusive: the floor's own manylinux tag fits, the next one does not.
        ("cp313-cp313-manylinux_2_17_x86_64", (2, 17), None),
        ("cp313-cp313-manylinux2014_x86_64", (2, 17), None),
        ("cp313-cp313-manylinux_2_18_x86_64", (2, 17), "warning"),
        ("cp313-cp313-manylinux_2_28_x86_64", (2, 28), None),
        ("cp313-cp313-manylinux_2_29_x86_64", (2, 28), "warning"),
        ("cp313-cp313-linux_aarch64", (2, 17), "error"),
    ],
)
def test_wheel_tag_against_the_floor(make_bundle, tag, floor, severity) -> None:  # type: ignore[no-untyped-def]
    files = {**GOOD, **dist("native", "1.0", tags=[tag])}
    report = check(make_bundle(files), select=["incompatible-wheel-tag"], mode="bundled", glibc_floor=floor)
    assert [f.severity.label for f in report.findings] == ([severity] if severity else []), report.findings


def test_target_platforms_are_inclusive_of_the_floor() -> None:
    t17, t28 = Target(glibc_floor=(2, 17)), Target(glibc_floor=(2, 28))
    assert "linux_x86_64" in t17.platforms
    assert "manylinux_2_17_x86_64" in t17.platforms and "manylinux_2_18_x86_64" not in t17.platforms
    assert "manylinux_2_28_x86_64" in t28.platforms and "manylinux_2_29_x86_64" not in t28.platforms
    assert Tag("cp313", "cp313", "manylinux_2_18_x86_64") not in t17.supported_tags
    assert Tag("cp313", "cp313", "manylinux_2_17_x86_64") in t17.supported_tags


def test_raw_linux_wheel_fits_the_target(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files = {**GOOD, "packages/native-1.0-cp313-cp313-linux_x86_64.whl": b"PK"}
    (f,) = check(make_bundle(files), select=["raw-wheel"], mode="bundled").findings
    assert "its tags fit the target" in f.message


def test_supported_tags_include_abi3_and_none() -> None:
    """packaging.tags.cpython_tags adds abi3 (this and older minors) and none by itself."""
    tags = Target(runtime="python_3_13").supported_tags
    for text in ("cp313-abi3-manylinux2014_x86_64", "cp38-abi3-manylinux_2_17_x86_64", "cp313-none-linux_x86_64"):
        assert Tag(*text.split("-")) in tags, text
    assert Tag("cp314", "abi3", "manylinux2014_x86_64") not in tags
    assert Tag("cp313", "abi3", "win_amd64") not in tags


def _public_removals(old: str, new: str) -> set[str]:
    from stdlib_list import stdlib_list

    def tops(version: str) -> set[str]:
        return {m.split(".", 1)[0] for m in stdlib_list(version)}

    # private modules and the C API example module are not what an agent imports
    return {m for m in tops(old) - tops(new) if not m.startswith("_") and m != "xxsubtype"}


@pytest.mark.parametrize("version", [(3, 12), (3, 13), (3, 14)])
def test_removed_module_table_matches_stdlib_list(version: tuple[int, int]) -> None:
    old, new = f"{version[0]}.{version[1] - 1}", f"{version[0]}.{version[1]}"
    table = {m for m, r in REMOVED.items() if r.version == version}
    assert table == _public_removals(old, new)


def test_uu_is_removed_in_3_13() -> None:
    assert REMOVED["uu"].version == (3, 13)


def test_a_one_megabyte_requirement_line_is_a_problem_not_slow() -> None:
    text = "requests" + " --hash=sha256:" + "a" * (1 << 20) + "\n"
    start = time.perf_counter()
    (lineno, logical), *_ = logical_lines(text)
    ln = parse_line("requirements.txt", lineno, logical)
    assert time.perf_counter() - start < 0.5
    assert ln.problem is not None and "too long" in ln.problem and ln.requirement is None
    assert len(ln.text) < 200


@pytest.mark.parametrize("filler", [" " * (1 << 20), "'" + "a " * (1 << 19), "x" * (1 << 20)])
def test_long_lines_stay_linear(filler: str) -> None:
    start = time.perf_counter()
    for lineno, logical in logical_lines("requests\n" + filler + "\nidna\n"):
        parse_line("requirements.txt", lineno, logical)
    assert time.perf_counter() - start < 0.5


def test_a_line_at_the_limit_is_still_read() -> None:
    line = "requests==2.32.3 " + "--hash=sha256:" + "a" * (LINE_LIMIT - 40)
    assert len(line) <= LINE_LIMIT
    ln = parse_line("requirements.txt", 1, line)
    assert ln.problem is None and ln.requirement is not None and ln.requirement.name == "requests"


def test_long_requirement_line_through_check(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files = {**MAIN, "requirements.txt": "requests\n" + "x" * (1 << 20) + "\n"}
    start = time.perf_counter()
    report = check(make_bundle(files), mode="remote_build")
    assert time.perf_counter() - start < 5
    assert not [f for f in report.findings if f.message.startswith("internal error")], report.findings
    assert report.target["mode"] == "remote_build"


@pytest.mark.parametrize(
    ("text", "kind", "facts"),
    [
        ("mylib @ git+ssh://git@github.com/org/mylib.git", SourceKind.VCS, {"ssh": True}),
        ("git+https://github.com/org/mylib.git#egg=mylib", SourceKind.VCS, {"ssh": False}),
        ("git+https://${TOKEN}@github.com/org/mylib.git#egg=mylib", SourceKind.VCS, {"env_credentials": True}),
        ("https://10.0.0.5/mylib-1.0.tar.gz", SourceKind.HTTP, {"private_host": True, "host": "10.0.0.5"}),
        ("https://example.com/mylib-1.0.tar.gz", SourceKind.HTTP, {"private_host": False}),
        (
            "--extra-index-url https://u:p@pkgs.dev.azure.com/org/_packaging/f/pypi/simple/",
            SourceKind.HTTP,
            {"private_feed": True, "credentials": True},
        ),
        ("--index-url https://pypi.org/simple", SourceKind.HTTP, {"pypi": True}),
        ("./libs/mylib", SourceKind.LOCAL, {"path": "sub/libs/mylib"}),
        ("-e ../shared[extra]", SourceKind.LOCAL, {"path": "shared"}),
        ("file:///home/me/mylib", SourceKind.LOCAL, {"path": "/home/me/mylib"}),
        ("--find-links C:/wheels", SourceKind.LOCAL, {"path": "C:/wheels"}),
        ("mylib @ ftp://example.com/mylib.tar.gz", SourceKind.OTHER, {}),
    ],
)
def test_requirement_sources_are_classified_once(text: str, kind: SourceKind, facts: dict[str, object]) -> None:
    ln = parse_line("sub/requirements.txt", 1, text)
    assert ln.source is not None and ln.source.kind is kind
    for name, value in facts.items():
        assert getattr(ln.source, name) == value, name


def test_plain_names_have_no_source() -> None:
    assert parse_line("requirements.txt", 1, "requests>=2").source is None
    assert parse_line("requirements.txt", 1, "--no-index").source is None


@pytest.mark.parametrize(
    "data",
    [
        b"Metadata-Version: 2.1\nName: a\nVersion: 1.0\nRequires-Dist: b>=1\nRequires-Dist: c; extra == 'x'\n\nbody\n",
        b"Metadata-Version: 2.1\r\nName: a\r\nVersion: 1.0\r\nRequires-Python: >=3.9\r\n\r\nRequires-Dist: body\r\n",
        b"Name: a\nVersion: 1.0\nDescription: line one\n  |line two\n  |Requires-Dist: no\nRequires-Dist: d\n",
        b"Name: a\nName: b\nVersion: 1.0\n",  # a repeated single field is not a value
        b"Name: \xff\xfe\nVersion: 1.0\n",  # not UTF-8
        b"Name: a\nVersion:\nRequires-Dist: e\n",
        b"garbage without a colon\nName: a\n",
        b"",
        b"Name:   spaced   \nVersion: 2\nRequires-Dist: f\n  (>=1)\n",
    ],
)
def test_metadata_headers_read_as_packaging_does(data: bytes) -> None:
    from packaging.metadata import parse_email

    from agentzip.validator.distinfo import _single, metadata_headers

    raw, _ = parse_email(data)
    mine, unreadable = metadata_headers(data)

    def norm(value: object) -> object:
        """Unfolded and stripped, as RFC 5322 reads it; packaging keeps the fold's newline."""
        return " ".join(value.split()) or None if isinstance(value, str) else value

    assert _single(mine, "name") == norm(raw.get("name"))
    assert _single(mine, "version") == norm(raw.get("version"))
    assert _single(mine, "requires-python") == norm(raw.get("requires_python"))
    assert mine.get("requires-dist", []) == [norm(v) for v in raw.get("requires_dist") or []]
    assert unreadable is (b"\xff" in data)
