"""`agentzip fix`: hand-made broken bundles (zip and folder) repaired into zips that check clean."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from agentzip import api
from agentzip.builder.fix import FixOptions, fix
from agentzip.cli import main
from agentzip.errors import UsageError
from tests.conftest import Files

MAIN = "import hello\n"
DIST_INFO_WHEEL = "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"


def wheel_bytes(name: str = "hello", version: str = "1.0") -> bytes:
    """A pure wheel made here with zipfile: one module, METADATA, WHEEL and RECORD."""
    di = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": "GREETING = 'hi'\n",
        f"{di}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{di}/WHEEL": DIST_INFO_WHEEL,
    }
    record = "".join(f"{p},,\n" for p in files) + f"{di}/RECORD,,\n"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for p, data in {**files, f"{di}/RECORD": record}.items():
            zf.writestr(p, data)
    return buf.getvalue()


def installed(name: str, version: str, extra: Files | None = None) -> dict[str, bytes | str]:
    """packages/<name>/ and its dist-info, with a RECORD listing every file (extra ones too)."""
    di = f"packages/{name}-{version}.dist-info"
    files: dict[str, bytes | str] = {
        f"packages/{name}/__init__.py": "GREETING = 'hi'\n",
        f"{di}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{di}/WHEEL": DIST_INFO_WHEEL,
        f"{di}/INSTALLER": "uv\n",
        **(extra or {}),
    }
    rel = [p[len("packages/") :] for p in files]
    files[f"{di}/RECORD"] = "".join(f"{p},,\n" for p in [*rel, f"{name}-{version}.dist-info/RECORD"])
    return files


def run_fix(src: Path, tmp_path: Path, **kw: object) -> tuple[list[str], Path]:
    out = tmp_path / "fixed.zip"
    lines: list[str] = []
    result = fix(FixOptions(src=src, output=out, **kw), lines.append)  # type: ignore[arg-type]
    assert result.report is not None
    return lines, out


def names(path: Path) -> set[str]:
    with zipfile.ZipFile(path) as zf:
        return set(zf.namelist())


def rules_of(path: Path) -> set[str]:
    return {f.rule for f in api.check(path).findings}


def test_wrapped_bundle_is_flattened(make_bundle: Callable[[Files], Path], tmp_path: Path) -> None:
    src = make_bundle(
        {"my-agent/main.py": "print('hi')\n", "my-agent/requirements.txt": "", "__MACOSX/my-agent/._main.py": "x"}
    )
    assert "wrapper-folder" in rules_of(src)
    lines, out = run_fix(src, tmp_path)
    assert names(out) == {"main.py", "requirements.txt"}
    assert "flatten the wrapper folder (1):" in lines
    assert "wrapper-folder" not in rules_of(out)
    assert not [f for f in api.check(out).findings if f.severity.label in ("error", "warning")]


def test_junk_caches_and_bytecode_are_dropped(make_bundle: Callable[[Files], Path], tmp_path: Path) -> None:
    src = make_bundle(
        {
            "main.py": "print('hi')\n",
            "requirements.txt": "",
            "__pycache__/main.cpython-311.pyc": b"\x00" * 16,
            ".venv/pyvenv.cfg": "home = /usr\n",
            ".venv/lib/python3.11/site-packages/x.py": "",
            ".git/config": "[core]\n",
            "node_modules/a/index.js": "",
            ".DS_Store": b"\x00",
        }
    )
    lines, out = run_fix(src, tmp_path)
    assert names(out) == {"main.py", "requirements.txt"}
    dropped = [line for line in lines if line.startswith("  ")]
    assert any(line.startswith("  .venv/: 2 file(s)") for line in dropped)
    assert any(line.startswith("  __pycache__/: 1 file(s)") for line in dropped)
    assert "junk-file" not in rules_of(out)


def test_secrets_are_reported_and_kept_unless_asked(make_bundle: Callable[[Files], Path], tmp_path: Path) -> None:
    src = make_bundle({"main.py": "print('hi')\n", "requirements.txt": "", ".env": "OPENAI_API_KEY=sk-x\n"})
    lines, out = run_fix(src, tmp_path)
    assert ".env" in names(out)
    assert any(line.startswith("  .env: KEPT") for line in lines)
    lines, out = run_fix(src, tmp_path, drop_secrets=True)
    assert ".env" not in names(out)
    assert "  .env: dropped (--drop-secrets)" in lines


def test_raw_wheel_is_installed_into_packages(make_bundle: Callable[[Files], Path], tmp_path: Path) -> None:
    src = make_bundle(
        {"main.py": MAIN, "requirements.txt": "hello==1.0\n", "packages/hello-1.0-py3-none-any.whl": wheel_bytes()}
    )
    assert "raw-wheel" in rules_of(src)
    lines, out = run_fix(src, tmp_path)
    got = names(out)
    assert "packages/hello/__init__.py" in got and "packages/hello-1.0.dist-info/METADATA" in got
    assert not any(n.endswith(".whl") for n in got)
    assert any(line.startswith("install raw wheels into packages/ (1):") for line in lines)
    report = api.check(out)
    assert not [f for f in report.findings if f.severity.label == "error"], report.findings


def test_raw_wheel_of_an_installed_distribution_is_dropped(
    make_bundle: Callable[[Files], Path], tmp_path: Path
) -> None:
    src = make_bundle(
        {
            "main.py": MAIN,
            "requirements.txt": "hello==1.0\n",
            "packages/hello-1.0-py3-none-any.whl": wheel_bytes(),
            **installed("hello", "1.0"),
        }
    )
    lines, out = run_fix(src, tmp_path)
    assert "packages/hello-1.0-py3-none-any.whl" not in names(out)
    assert any("a raw wheel of hello 1.0, already installed" in line for line in lines)


def test_cache_shipped_by_a_distribution_is_dropped_and_its_record_pruned(
    make_bundle: Callable[[Files], Path], tmp_path: Path
) -> None:
    extra = {"packages/hello/.mypy_cache/3.13/hello.data.json": "{}"}
    src = make_bundle({"main.py": MAIN, "requirements.txt": "hello==1.0\n", **installed("hello", "1.0", extra)})
    _, out = run_fix(src, tmp_path)
    assert not any(".mypy_cache" in n for n in names(out))
    with zipfile.ZipFile(out) as zf:
        record = zf.read("packages/hello-1.0.dist-info/RECORD").decode()
    assert ".mypy_cache" not in record and "hello/__init__.py" in record
    assert not {"dist-info-broken", "junk-file"} & rules_of(out)


def test_dry_run_lists_and_writes_nothing(make_bundle: Callable[[Files], Path], tmp_path: Path) -> None:
    src = make_bundle(
        {"main.py": "", "requirements.txt": "", ".git/HEAD": "ref", "agent-code.zip": b"PK\x05\x06" + bytes(18)}
    )
    lines: list[str] = []
    result = fix(FixOptions(src=src, output=None), lines.append)
    assert result.output is None and result.report is None
    assert lines[0] == "drop what never runs in the agent (1):"
    assert lines[-2:] == [
        "left as is (not mechanical: fix by hand) (1):",
        "  agent-code.zip: a zip inside the bundle: delete it if it is an old build",
    ]
    assert not (tmp_path / "fixed.zip").exists()


def test_clean_bundle_has_nothing_to_fix(make_bundle: Callable[[Files], Path]) -> None:
    src = make_bundle({"main.py": "print('hi')\n", "requirements.txt": ""})
    lines: list[str] = []
    fix(FixOptions(src=src), lines.append)
    assert lines == ["nothing to fix"]


def test_fix_never_overwrites_its_input(tmp_path: Path) -> None:
    from tests.conftest import zip_of

    src = tmp_path / "a.zip"
    src.write_bytes(zip_of({"main.py": ""}))
    before = src.read_bytes()
    with pytest.raises(UsageError, match="never overwrites"):
        fix(FixOptions(src=src, output=src), lambda _: None)
    assert src.read_bytes() == before


def test_cli_dry_run_and_exit_codes(tmp_path: Path) -> None:
    from tests.conftest import zip_of

    src = tmp_path / "a.zip"
    src.write_bytes(zip_of({"a/main.py": "", "a/requirements.txt": ""}))
    runner = CliRunner()
    res = runner.invoke(main, ["fix", str(src), "--dry-run"])
    assert res.exit_code == 0, res.output
    assert res.output.startswith("flatten the wrapper folder (1):\n  a/: 2 files moved to the zip root\n")
    assert runner.invoke(main, ["fix", str(src)]).exit_code == 2  # neither -o nor --dry-run
    res = runner.invoke(main, ["fix", str(src), "-o", str(tmp_path / "out.zip")])
    assert res.exit_code == 0, res.output
    assert "wrote " in res.output and (tmp_path / "out.zip").is_file()
    assert runner.invoke(main, ["fix", str(tmp_path / "missing.zip"), "--dry-run"]).exit_code == 2


@pytest.mark.network
def test_windows_built_bundle_is_reinstalled_for_the_target(tmp_path: Path) -> None:
    realwheels = pytest.importorskip("fixtures.realwheels")
    src = realwheels.bundle_zip("win-amd64")
    before = api.check(src)
    assert any(f.code == "AZ301" for f in before.findings)
    lines, out = run_fix(src, tmp_path)
    assert any(line.startswith("  cryptography==50.0.2: ") for line in lines)
    report = api.check(out)
    bad = [f for f in report.findings if f.severity.label == "error" and (f.code == "AZ205" or f.code[:3] == "AZ3")]
    assert not bad, bad


def test_the_fixed_zip_is_checked_against_the_definition_of_the_input(tmp_path: Path) -> None:
    from tests.conftest import write_folder

    src = write_folder(
        tmp_path / "agent",
        {
            "main.py": "print('hi')\n",
            "requirements.txt": "",
            "agent.yaml": "code_configuration:\n  runtime: python_3_14\n  entry_point: [python, main.py]\n"
            "  dependency_resolution: remote_build\n",
        },
    )
    out = tmp_path / "fixed.zip"
    result = fix(FixOptions(src=src, output=out), lambda _: None)
    assert result.report is not None
    assert result.report.target["runtime"] == "python_3_14"
