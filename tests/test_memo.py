"""The memo of packaging's answers (validator/memo.py): the same answers as packaging, and a warm check asks it nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.markers import Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

from agentzip.validator import memo as memo_module
from agentzip.validator.depcheck import applies
from agentzip.validator.memo import Memo, MemoRequirement
from agentzip.validator.namecache import DiskCache
from agentzip.validator.target import Target
from tests.conftest import Files
from tests.test_startup import heavy_loaded

# Lines as real METADATA writes them (the real bundle's, and the shapes packaging knows).
LINES = [
    "requests",
    "azure-core>=1.31.0",
    "typing-extensions>=4.6.0",
    'opentelemetry-instrumentation==0.66b1; extra == "instruments"',
    'tomli>=1.1.0; python_version < "3.11"',
    'pywin32>=226; platform_system == "Windows"',
    'uvicorn[standard]<1,>=0.30; extra == "server" and python_version >= "3.9"',
    'exceptiongroup>=1.0.2; python_version < "3.11" or sys_platform == "win32"',
    "pip @ https://github.com/pypa/pip/archive/22.0.2.zip",
    'cffi>=1.12; platform_python_implementation != "PyPy"',
    "Name[Extra1,extra2]~=2.1.0",
    "d ===",
    "e[",
    "f; extra ==",
    'g; python_version == "3.*"',
]
ENV = Target().marker_environment()


def _fresh(tmp_path: Path) -> Memo:
    return Memo(("test",), DiskCache(tmp_path / "cache"))


@pytest.mark.parametrize("line", LINES)
def test_a_line_reads_as_packaging_reads_it(line: str, tmp_path: Path) -> None:
    got = _fresh(tmp_path).requirement(line)
    try:
        want = Requirement(line)
    except InvalidRequirement as e:
        assert got == str(e)
        return
    assert isinstance(got, MemoRequirement)
    assert (got.name, set(got.extras), got.url, str(got)) == (want.name, want.extras, want.url, str(want))
    assert got.specifier == want.specifier and got.marker == want.marker
    for extras in ((), ("server",), ("instruments", "server")):
        holds = got.marker_text is None or _fresh(tmp_path).holds(got.marker_text, ENV, extras)
        assert holds == applies(want.marker, ENV, sorted(extras))


_VERSIONS = ["1.0", "2.32.3", "0.66b1", "1.0.dev1", "1!2.0", "1.0+local", "3.13", "not a version", "", "1.0.post1"]
_SPECS = [">=1.0", "<2,>=1.0", "==0.66b1", "~=2.1", "!=1.0.*", ">=3.9", "<3.13,>=3.8", "===1.0", ">=1.0a1", ""]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(_SPECS), st.sampled_from(_VERSIONS))
def test_fits_answers_as_packaging_does(spec: str, version: str) -> None:
    got = Memo(("test",), None).fits(spec, version)
    try:
        parsed = Version(version)
    except InvalidVersion:
        assert got is None
        return
    assert got == SpecifierSet(spec).contains(parsed, prereleases=True)


@pytest.mark.parametrize("text", [*_VERSIONS, "1.0.0.0.0", "v1.2"])
def test_a_version_is_valid_when_packaging_says_so(text: str) -> None:
    try:
        Version(text)
        valid = True
    except InvalidVersion:
        valid = False
    assert Memo(("test",), None).valid_version(text) == valid


@pytest.mark.parametrize("text", [">=3.9", "<3.13, >=3.8", ">=3.8.*", "3.9", ">=3.9,<4", "~= 3.10"])
def test_a_specifier_is_spelled_as_packaging_spells_it(text: str) -> None:
    got = Memo(("test",), None).specifier(text)
    try:
        want: str | None = str(SpecifierSet(text))
    except Exception:
        want = None
    assert got == want


def test_answers_survive_the_process_and_a_corrupt_entry_is_asked_again(tmp_path: Path) -> None:
    first = _fresh(tmp_path)
    req = first.requirement(LINES[6])
    assert isinstance(req, MemoRequirement) and req.marker_text is not None
    assert first.holds(req.marker_text, ENV, ["server"]) is True
    first.save()
    entries = [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    assert len(entries) == 1
    second = _fresh(tmp_path)
    assert second._get(("m", req.marker_text, memo_module.env_key(ENV), "server")) is True  # remembered
    entries[0].write_bytes(b"\x00" * 40)  # torn or foreign: not ours, so asked again
    third = _fresh(tmp_path)
    assert third._get(("r", LINES[6])) is memo_module._MISSING
    assert str(third.requirement(LINES[6])) == str(Requirement(LINES[6]))


def test_a_marker_that_reads_the_build_host_is_never_remembered(tmp_path: Path) -> None:
    m = _fresh(tmp_path)
    marker = 'platform_release >= "0"'
    assert m.holds(marker, ENV) == Marker(marker).evaluate(ENV)
    assert not any(k[0] == "m" for k in m._all())


# A bundle whose METADATA has markers, extras, a Requires-Python and specifiers: every question the
# dependency check asks. `web` asks for `helper[fast]`; helper's `fast` extra needs `speedy`.
def _meta(name: str, version: str, *lines: str) -> bytes:
    return (f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n" + "".join(lines) + "\n").encode()


def _dist(name: str, version: str, *lines: str) -> Files:
    info = f"packages/{name}-{version}.dist-info"
    return {
        f"{info}/METADATA": _meta(name, version, *lines),
        f"{info}/WHEEL": b"Wheel-Version: 1.0\nTag: py3-none-any\n",
        f"{info}/RECORD": f"{name}/__init__.py,,\n".encode(),
        f"packages/{name}/__init__.py": b"",
    }


MARKED: Files = {
    "main.py": b"import web\n",
    "requirements.txt": b'web==1.0\ntomli; python_version < "3.11"\n',
    **_dist(
        "web",
        "1.0",
        "Requires-Python: >=3.9\n",
        "Requires-Dist: helper[fast]>=2\n",
        'Requires-Dist: tomli>=1; python_version < "3.11"\n',
        'Requires-Dist: pywin32; sys_platform == "win32"\n',
    ),
    **_dist("helper", "2.1", 'Requires-Dist: speedy<3; extra == "fast"\n', "Requires-Python: <3.13\n"),
}


def test_a_warm_check_imports_no_packaging_and_reports_the_same(
    make_bundle: Callable[[Files], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AGENTZIP_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    bundle = make_bundle(MARKED)
    heavy = ["packaging.requirements", "packaging.markers", "packaging.specifiers", "packaging.version"]
    code, cold, loaded = heavy_loaded(bundle, heavy)
    assert code == 1 and "packaging.requirements" in loaded  # the first run asks packaging
    # the answers that matter: helper[fast] needs speedy (missing); helper does not support 3.13
    assert "speedy is not bundled" in cold and "helper 2.1 requires Python <3.13" in cold, cold
    assert "tomli is not bundled" not in cold and "pywin32" not in cold  # markers false on the target
    code, warm, loaded = heavy_loaded(bundle, heavy)
    assert code == 1 and warm == cold
    assert loaded == {}, "imported by a warm check: " + "; ".join(f"{m} (from {c})" for m, c in loaded.items())


def test_the_host_kernel_values_are_platforms() -> None:
    import platform

    from agentzip.validator.target import _host_kernel

    assert _host_kernel() == {"platform_release": platform.release(), "platform_version": platform.version()}


def test_a_long_lived_process_holds_a_bounded_number_of_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memo_module, "MAX_ANSWERS", 50)
    m = Memo(("test",), None)
    for i in range(200):
        assert isinstance(m.requirement(f"pkg{i}>=1"), MemoRequirement)
        m.valid_version(f"1.{i}")
    assert len(m._all()) <= 50 and len(m._reqs) <= 50
