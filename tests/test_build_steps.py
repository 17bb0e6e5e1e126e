"""The build's steps on their own: staging rules, the deterministic zip, installer command lines."""

from __future__ import annotations

import hashlib
import os
import stat
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

from agentzip.builder import install, staging
from agentzip.builder.zipwriter import DOS_EPOCH, Member, write_zip
from agentzip.errors import BuildError, UsageError
from agentzip.foundry import DEFAULT_GLIBC, DEFAULT_RUNTIME, PYTHON_RUNTIMES
from tests.conftest import Files, write_folder
from tests.test_build import AGENT, DIRTY

# -- staging --------------------------------------------------------------------------------------

STAGING_CASES: list[tuple[str, Files, set[str]]] = [
    ("clean", {**AGENT, "lib/util.py": "X = 1\n"}, {"main.py", "requirements.txt", "lib/util.py"}),
    ("dirty: defaults always apply", DIRTY, {"main.py", "requirements.txt", "lib/util.py"}),
    (
        "no .agentignore: azd's defaults (definition files, Dockerfile, bin/)",
        {**AGENT, "azure.yaml": "", "agent.yaml": "", "Dockerfile": "", "bin/x": "", "obj/y": ""},
        {"main.py", "requirements.txt"},
    ),
    (
        ".agentignore replaces azd's defaults, but never the always-excluded set",
        {**DIRTY, ".agentignore": "*.md\n", "README.md": "", "Dockerfile": "", "azure.yaml": ""},
        {"main.py", "requirements.txt", "lib/util.py", "Dockerfile", "azure.yaml", ".agentignore"},
    ),
    (
        ".agentignore: folders, globs and negation (gitignore syntax)",
        {
            **AGENT,
            ".agentignore": "data/\ntests/\n*.log\n!keep.log\n/docs\n",
            "data/big.bin": b"\x00",
            "tests/test_x.py": "",
            "a.log": "",
            "keep.log": "",
            "docs/x.md": "",
            "lib/docs/y.md": "",
        },
        {"main.py", "requirements.txt", ".agentignore", "keep.log", "lib/docs/y.md"},
    ),
    (
        "an old packages/ is rebuilt, not shipped",
        {**AGENT, "packages/requests/__init__.py": "", "lib/packages/x.py": ""},
        {"main.py", "requirements.txt", "lib/packages/x.py"},
    ),
    (
        "a !negation cannot bring back what is always excluded",
        {**AGENT, ".agentignore": "!.env\n!.venv/\n", ".env": "S=1", ".venv/x": ""},
        {"main.py", "requirements.txt", ".agentignore"},
    ),
]


@pytest.mark.parametrize("files,expected", [c[1:] for c in STAGING_CASES], ids=[c[0] for c in STAGING_CASES])
def test_staging(tmp_path: Path, files: Files, expected: set[str]) -> None:
    src = write_folder(tmp_path / "agent", files)
    before = sorted((p, p.stat().st_mtime_ns) for p in src.rglob("*"))
    staged = staging.stage(src)
    assert {m.name for m in staged.members} == expected
    assert [m.name for m in staged.members] == sorted(m.name for m in staged.members)
    assert sorted((p, p.stat().st_mtime_ns) for p in src.rglob("*")) == before  # SRC untouched


def test_staging_leaves_out_the_output_zip_and_links_out_of_src(tmp_path: Path) -> None:
    src = write_folder(tmp_path / "agent", {**AGENT, "agent-code.zip": b"PK", "data.txt": "x", ".env": "S=1"})
    (tmp_path / "outside.txt").write_text("host file")
    (src / "link-out.txt").symlink_to(tmp_path / "outside.txt")
    (src / "link-in.txt").symlink_to(src / "data.txt")
    (src / "settings.txt").symlink_to(src / ".env")  # a link to a secret is the secret
    (src / "loop").symlink_to(src, target_is_directory=True)
    staged = staging.stage(src, exclude_paths=[src / "agent-code.zip"])
    assert {m.name for m in staged.members} == {"main.py", "requirements.txt", "data.txt", "link-in.txt"}
    assert staged.excluded["the output zip"] == 1
    assert staged.excluded["symlink out of the folder"] == 1
    assert staged.excluded["always excluded"] == 2


# -- the deterministic zip ------------------------------------------------------------------------


def _tree(root: Path, mtime: float) -> list[Member]:
    files = {"b.py": "B\n", "a/z.py": "Z\n" * 100, "a/b/c.txt": "", "run.sh": "#!/bin/sh\n"}
    write_folder(root, files)
    (root / "run.sh").chmod(0o775)
    (root / "b.py").chmod(0o600)  # a private file on the host still ships readable
    for p in root.rglob("*"):
        os.utime(p, (mtime, mtime))
    return staging.stage_tree(root, "pkg")


def test_zip_is_byte_identical_with_different_mtimes_and_order(tmp_path: Path) -> None:
    one = write_zip(tmp_path / "1.zip", _tree(tmp_path / "t1", 1_600_000_000))
    members = _tree(tmp_path / "t2", 1_700_000_000)
    two = write_zip(tmp_path / "2.zip", list(reversed(members)))
    assert (tmp_path / "1.zip").read_bytes() == (tmp_path / "2.zip").read_bytes()
    assert one.sha256 == two.sha256 == hashlib.sha256((tmp_path / "1.zip").read_bytes()).hexdigest()
    assert one.size == (tmp_path / "1.zip").stat().st_size


def test_zip_layout_modes_and_timestamps(tmp_path: Path) -> None:
    write_zip(tmp_path / "o.zip", _tree(tmp_path / "t", 1_600_000_000))
    with zipfile.ZipFile(tmp_path / "o.zip") as zf:
        assert zf.testzip() is None
        infos = zf.infolist()
        assert [i.filename for i in infos] == ["pkg/a/b/c.txt", "pkg/a/z.py", "pkg/b.py", "pkg/run.sh"]
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in infos)
        assert all("\\" not in i.filename for i in infos)
        assert {i.filename: stat.S_IMODE(i.external_attr >> 16) for i in infos} == {
            "pkg/a/b/c.txt": 0o644,
            "pkg/a/z.py": 0o644,
            "pkg/b.py": 0o644,
            "pkg/run.sh": 0o755,
        }
        assert all(stat.S_ISREG(i.external_attr >> 16) for i in infos)
        assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in infos)
        assert zf.read("pkg/a/z.py") == b"Z\n" * 100


@pytest.fixture
def kolkata(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The process in UTC+05:30 (no DST), where local and UTC DOS fields differ in hour and date."""
    if not hasattr(time, "tzset"):
        pytest.skip("time.tzset is POSIX-only")
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    if time.localtime(0).tm_hour == 0:
        pytest.skip("no time zone database: TZ=Asia/Kolkata reads as UTC")
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize("epoch", [None, 1_700_000_000])  # 1980-01-01 00:00 and 2023-11-14 22:13:20 UTC
def test_timestamps_are_utc_in_any_time_zone(tmp_path: Path, kolkata: None, epoch: int | None) -> None:
    """The same epoch gives the same bytes everywhere: DOS fields from gmtime, never localtime."""
    write_zip(tmp_path / "o.zip", _tree(tmp_path / "t", 1_600_000_000), epoch=epoch)
    utc = time.gmtime(DOS_EPOCH if epoch is None else epoch)
    expected = (utc.tm_year, utc.tm_mon, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec // 2 * 2)
    assert time.localtime(DOS_EPOCH if epoch is None else epoch)[:6] != expected  # the zone really differs
    with zipfile.ZipFile(tmp_path / "o.zip") as zf:
        assert {i.date_time for i in zf.infolist()} == {expected}


@pytest.mark.parametrize(
    "epoch,expected",
    [("1700000000", (2023, 11, 14, 22, 13, 20)), ("0", (1980, 1, 1, 0, 0, 0)), ("junk", (1980, 1, 1, 0, 0, 0))],
)
def test_source_date_epoch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, epoch: str, expected: tuple[int, ...]
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    write_zip(tmp_path / "o.zip", _tree(tmp_path / "t", time.time()))
    with zipfile.ZipFile(tmp_path / "o.zip") as zf:
        assert {i.date_time for i in zf.infolist()} == {expected}


def test_zip64_end_record_beyond_65535_entries(tmp_path: Path) -> None:
    one = tmp_path / "x.py"
    one.write_text("")
    write_zip(tmp_path / "o.zip", [Member(f"m/{i:05d}.py", one) for i in range(65_540)], epoch=DOS_EPOCH)
    with zipfile.ZipFile(tmp_path / "o.zip") as zf:
        assert len(zf.infolist()) == 65_540


def test_duplicate_names_are_refused(tmp_path: Path) -> None:
    one = tmp_path / "x.py"
    one.write_text("")
    with pytest.raises(BuildError, match="same name"):
        write_zip(tmp_path / "o.zip", [Member("a.py", one), Member("a.py", one)])


# -- installer command lines and failures ---------------------------------------------------------


def _job(
    installer: str, glibc: tuple[int, int] = DEFAULT_GLIBC, version: tuple[int, int] = PYTHON_RUNTIMES[DEFAULT_RUNTIME]
) -> install.Install:
    return install.Install(Path("requirements.txt"), Path("/tmp/t/packages"), version, glibc, installer)


@pytest.mark.parametrize(
    "glibc,uv,pip",
    [
        ((2, 17), "x86_64-manylinux_2_17", ["manylinux2014_x86_64"]),
        (
            (2, 28),
            "x86_64-manylinux_2_28",
            [f"manylinux_2_{m}_x86_64" for m in range(28, 17, -1)] + ["manylinux2014_x86_64"],
        ),
        (
            (2, 27),
            "x86_64-manylinux_2_17",
            [f"manylinux_2_{m}_x86_64" for m in range(27, 17, -1)] + ["manylinux2014_x86_64"],
        ),
        ((2, 99), "x86_64-manylinux_2_40", None),
    ],
)
def test_platform_flags_for_glibc(glibc: tuple[int, int], uv: str, pip: list[str] | None) -> None:
    assert install.uv_platform(glibc) == uv
    if pip is not None:
        assert install.pip_platforms(glibc) == pip


def test_glibc_below_the_floor_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        install.uv_platform((2, 12))


def test_uv_command_line() -> None:
    cmd = install.command(_job("uv", version=(3, 14)))
    assert cmd[1:3] == ["pip", "install"]
    text = " ".join(cmd)
    for part in (
        "--target /tmp/t/packages",
        "--python-platform x86_64-manylinux_2_17",
        "--python-version 3.14",
        "--only-binary :all:",
        "-r requirements.txt",
    ):
        assert part in text


def test_pip_command_line_never_compiles() -> None:
    cmd = install.command(_job("pip"))
    assert cmd[:4] == [sys.executable, "-m", "pip", "install"]
    text = " ".join(cmd)
    for part in (
        "--platform manylinux2014_x86_64",
        "--python-version 3.13",
        "--implementation cp",
        "--only-binary=:all:",
        "--no-compile",
        "--target /tmp/t/packages",
    ):
        assert part in text


# Installer output as uv prints it: one long line per cause.
UV_SDIST = (
    "error: No solution found when resolving dependencies\n"
    "  cause: Because docopt==0.6.2 has no usable wheels and you require docopt==0.6.2, "
    "we can conclude that your requirements are unsatisfiable.\n\n"
    "hint: Wheels are required for `docopt` because building from source is disabled for all packages "
    "(i.e., with `--no-build`)"
)
UV_PLATFORM = (
    "  cause: Because onnxruntime==1.20.1 has no wheels with a matching platform tag (e.g., "
    "`manylinux_2_17_x86_64`) and you require onnxruntime==1.20.1, we can conclude that your requirements "
    "are unsatisfiable."
)
UV_MISSING = (
    "  cause: Because nosuchpkg-zzqx was not found in the package registry and you require nosuchpkg-zzqx, "
    "we can conclude that your requirements are unsatisfiable."
)
PIP_NONE = """ERROR: Could not find a version that satisfies the requirement docopt==0.6.2 (from versions: none)
ERROR: No matching distribution found for docopt==0.6.2"""


@pytest.mark.parametrize(
    "output,expected",
    [
        (UV_SDIST, [install.Failure("docopt==0.6.2", "sdist-only")]),
        (UV_PLATFORM, [install.Failure("onnxruntime==1.20.1", "platform")]),
        (UV_MISSING, [install.Failure("nosuchpkg-zzqx", "not-found")]),
        (PIP_NONE, [install.Failure("docopt==0.6.2", "unknown")]),
        ("error: network unreachable", []),
    ],
)
def test_installer_failures_are_named(output: str, expected: list[install.Failure]) -> None:
    assert install.failures(output) == expected


def test_failure_message_keeps_the_installer_output_and_says_the_ways_out() -> None:
    message = install.explain_failure(UV_PLATFORM, _job("uv"))
    assert "onnxruntime==1.20.1 has no wheels with a matching platform tag" in message
    assert "--glibc 2.28" in message and "remote_build" in message
