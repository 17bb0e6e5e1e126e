"""Native binary rules AZ301-AZ306: header bytes decide, one finding per distribution or folder."""

from __future__ import annotations

import struct
from typing import Any

import pytest

from agentzip.api import check
from tests.conftest import codes
from tests.elves import shared_object
from tests.test_binaries import elf_header, fat, macho, pe_file
from tests.test_rules_dependencies import dist

MAIN = {"main.py": "print('hi')\n", "requirements.txt": ""}
BUNDLED: dict[str, Any] = {"mode": "bundled"}
GNU = shared_object(glibc=("GLIBC_2.2.5", "GLIBC_2.14"))
WIN_DLL = pe_file(0x8664)
MAC_ARM64 = macho(0xFEEDFACF, 12 | 0x01000000)
MAC_UNIVERSAL = fat((7 | 0x01000000, 3), (12 | 0x01000000, 0))
AARCH64 = shared_object(machine=183)
I386 = elf_header(cls=1, machine=3)
MUSL = shared_object(("libc.musl-x86_64.so.1",), ())
MUSL_INTERP = shared_object(("libc.musl-x86_64.so.1",), (), interp="/lib/ld-musl-x86_64.so.1")
NEW_GLIBC = shared_object(glibc=("GLIBC_2.2.5", "GLIBC_2.34"))
DOTNET_IL = pe_file(0x014C, pe32plus=False, clr=True)
EXT313 = "_speedups.cpython-313-x86_64-linux-gnu.so"


def owned(name: str, tags: tuple[str, ...], files: dict[str, bytes]) -> dict[str, Any]:
    """A distribution in packages/ whose RECORD lists `files` (paths relative to packages/)."""
    out: dict[str, Any] = dist(name, "1.0", tags=tags, modules=[*files, f"{name}/__init__.py"])
    out.update({f"packages/{p}": data for p, data in files.items()})
    return out


MANYLINUX = ("cp313-cp313-manylinux_2_17_x86_64", "cp313-cp313-manylinux2014_x86_64")

CASES = [
    # clean: what a correct bundle holds, owned or copied in
    ("windows-binary", {**MAIN, **owned("fast", MANYLINUX, {f"fast/{EXT313}": GNU})}, {}, False),
    ("windows-binary", {**MAIN, f"native/{EXT313}": GNU}, {}, False),
    ("windows-binary", {**MAIN, "lib/Python.Runtime.dll": DOTNET_IL}, {}, False),  # IL runs on Linux
    ("windows-binary", {**MAIN, ".venv/lib/x.pyd": WIN_DLL}, {}, False),  # junk-file's business
    # bad: the name lies, the header does not
    ("windows-binary", {**MAIN, f"native/{EXT313}": WIN_DLL}, {}, True),
    (
        "windows-binary",
        {**MAIN, **owned("fast", ("cp313-cp313-win_amd64",), {"fast/_x.cp313-win_amd64.pyd": WIN_DLL})},
        BUNDLED,
        True,
    ),
    ("windows-binary", {**MAIN, "bin/tool.exe": pe_file(0x8664, dll=False)}, {}, True),
    ("macos-binary", {**MAIN, f"native/{EXT313}": GNU}, {}, False),
    ("macos-binary", {**MAIN, "packages/cryptography/hazmat/bindings/_rust.abi3.so": MAC_ARM64}, BUNDLED, True),
    ("macos-binary", {**MAIN, "native/libfoo.dylib": MAC_UNIVERSAL}, {}, True),
    ("macos-binary", {**MAIN, "native/noext": MAC_ARM64}, {}, True),
    ("wrong-architecture", {**MAIN, f"native/{EXT313}": GNU}, {}, False),
    ("wrong-architecture", {**MAIN, "native/_x.cpython-313-aarch64-linux-gnu.so": AARCH64}, {}, True),
    ("wrong-architecture", {**MAIN, "native/_x.so": I386}, {}, True),
    ("wrong-architecture", {**MAIN, "native/_x.so": elf_header(osabi=9)}, {}, True),  # FreeBSD
    ("musl-binary", {**MAIN, f"native/{EXT313}": GNU}, {}, False),
    ("musl-binary", {**MAIN, "native/_x.so": MUSL}, {}, True),
    ("musl-binary", {**MAIN, "native/tool": MUSL_INTERP}, {}, True),
    # the dynamic table far past the head is still read
    ("musl-binary", {**MAIN, "native/_x.so": shared_object(("libc.musl-x86_64.so.1",), (), padding=300_000)}, {}, True),
    ("glibc-too-new", {**MAIN, f"native/{EXT313}": GNU}, {}, False),
    ("glibc-too-new", {**MAIN, f"native/{EXT313}": NEW_GLIBC}, {"glibc_floor": (2, 34)}, False),
    ("glibc-too-new", {**MAIN, f"native/{EXT313}": NEW_GLIBC}, {}, True),
    (
        "glibc-too-new",
        {**MAIN, **owned("fast", ("cp313-cp313-linux_x86_64",), {f"fast/{EXT313}": NEW_GLIBC})},
        BUNDLED,
        True,
    ),
    ("extension-abi-mismatch", {**MAIN, f"native/{EXT313}": GNU}, {}, False),
    (
        "extension-abi-mismatch",
        {**MAIN, "native/_x.cpython-314-x86_64-linux-gnu.so": GNU},
        {"runtime": "python_3_14"},
        False,
    ),
    (
        "extension-abi-mismatch",
        {**MAIN, **owned("fast", ("cp39-abi3-manylinux2014_x86_64",), {"fast/_x.abi3.so": GNU})},
        BUNDLED,
        False,
    ),
    ("extension-abi-mismatch", {**MAIN, "native/_x.cpython-312-x86_64-linux-gnu.so": GNU}, {}, True),
    ("extension-abi-mismatch", {**MAIN, "native/_x.cpython-313t-x86_64-linux-gnu.so": GNU}, {}, True),
    (
        "extension-abi-mismatch",
        {**MAIN, **owned("fast", ("cp314-abi3-manylinux2014_x86_64",), {"fast/_x.abi3.so": GNU})},
        BUNDLED,
        True,
    ),
]


@pytest.mark.parametrize(("rule", "files", "kwargs", "fires"), CASES)
def test_binary_rule(make_bundle, rule, files, kwargs, fires) -> None:  # type: ignore[no-untyped-def]
    report = check(make_bundle(files), select=[rule], **kwargs)
    assert (rule in codes(report)) is fires, [f.message for f in report.findings]


def test_one_finding_per_distribution_with_count_and_every_path(make_bundle) -> None:  # type: ignore[no-untyped-def]
    pyds = {f"aaa/_m{i}.cp313-win_amd64.pyd": WIN_DLL for i in range(5)}
    files = {
        **MAIN,
        **owned("aaa", ("cp313-cp313-win_amd64",), pyds),
        **owned("bbb", ("cp313-cp313-win_amd64",), {"bbb/_b.cp313-win_amd64.pyd": WIN_DLL}),
        "vendored/x.dll": WIN_DLL,
        "vendored/y.dll": WIN_DLL,
    }
    report = check(make_bundle(files), select=["windows-binary"], mode="bundled")
    by_path = {f.path: f for f in report.findings}
    assert sorted(by_path) == ["packages/aaa-1.0.dist-info", "packages/bbb-1.0.dist-info", "vendored/x.dll"]
    aaa = by_path["packages/aaa-1.0.dist-info"]
    assert aaa.message.startswith("aaa 1.0: 5 Windows binaries (a Windows x86_64 DLL (PE))")
    assert len(aaa.paths) == 5 and "--platform manylinux2014_x86_64" in aaa.hint
    vendored = by_path["vendored/x.dll"]
    assert vendored.paths == ("vendored/x.dll", "vendored/y.dll") and "no dist-info owns it" in vendored.message


def test_musl_message_gives_the_evidence(make_bundle) -> None:  # type: ignore[no-untyped-def]
    (f,) = check(make_bundle({**MAIN, "native/_x.so": MUSL_INTERP}), select=["musl-binary"]).findings
    assert "interpreter /lib/ld-musl-x86_64.so.1" in f.message and "glibc" in f.message


def test_glibc_message_names_the_version_and_the_floor(make_bundle) -> None:  # type: ignore[no-untyped-def]
    (f,) = check(make_bundle({**MAIN, "native/_x.so": NEW_GLIBC}), select=["glibc-too-new"]).findings
    assert f.severity.label == "warning" and "GLIBC_2.34" in f.message and "2.17" in f.message


def test_a_manylinux_tag_vouches_for_glibc(make_bundle) -> None:  # type: ignore[no-untyped-def]
    # auditwheel checked the symbol versions of a manylinux2014 wheel: its files are not inflated to be read again
    files = {**MAIN, **owned("fast", MANYLINUX, {f"fast/{EXT313}": NEW_GLIBC})}
    assert check(make_bundle(files), select=["AZ3"], mode="bundled").findings == ()


def test_dotnet_runtime_folders_for_other_platforms_are_left_alone(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files = {
        "MyAgent.dll": DOTNET_IL,
        "runtimes/win-x64/native/e_sqlite3.dll": WIN_DLL,
        "runtimes/osx-arm64/native/libe_sqlite3.dylib": MAC_ARM64,
        "runtimes/linux-musl-x64/native/libe_sqlite3.so": MUSL,
        "runtimes/linux-x64/native/libe_sqlite3.so": GNU,
    }
    kw: dict[str, Any] = {"runtime": "dotnet_10", "entry_point": ["dotnet", "MyAgent.dll"], "select": ["AZ3"]}
    assert check(make_bundle(files), **kw).findings == ()
    bad = check(make_bundle({**files, "e_sqlite3.dll": WIN_DLL}), **kw)
    assert codes(bad) == ["windows-binary"] and "dotnet publish" in bad.findings[0].hint


@pytest.mark.parametrize("cut", [4, 19, 20, 63, 64, 100, 300])
def test_truncated_native_files_never_raise(make_bundle, cut) -> None:  # type: ignore[no-untyped-def]
    data = {**MAIN, "native/_x.so": MUSL[:cut], "native/_y.so": NEW_GLIBC[:cut], "native/_z.pyd": WIN_DLL[:cut]}
    report = check(make_bundle(data), select=["AZ3"])
    assert all(f.code.startswith("AZ3") for f in report.findings)


def test_text_files_are_not_read(make_bundle, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from agentzip.validator import bundle

    read: list[str] = []
    real = bundle.Bundle.head

    def spy(self, f, n):  # type: ignore[no-untyped-def]
        read.append(f.path)
        return real(self, f, n)

    monkeypatch.setattr(bundle.Bundle, "head", spy)
    files = {
        **MAIN,
        "lib/util.py": "x = 1\n" * 10,
        "data/info.json": "{}" * 20,
        "native/_x.so": GNU,
        "packages/a-1.0.dist-info/LICENSE": "MIT" * 20,
    }
    check(make_bundle(files), select=["AZ3"])
    assert read == ["native/_x.so"]


def test_elf_with_lying_program_headers(make_bundle) -> None:  # type: ignore[no-untyped-def]
    # a dynamic segment pointing far past the end of the file: not verified, not a crash
    bad = bytearray(MUSL)
    struct.pack_into("<Q", bad, 64 + 56 + 8, 1 << 40)  # PT_DYNAMIC p_offset
    report = check(make_bundle({**MAIN, "native/_x.so": bytes(bad)}), select=["AZ3"])
    assert "wrong-architecture" not in codes(report)
