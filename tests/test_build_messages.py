"""What `build` says and tidies: caches pruned from packages/ with RECORD kept true, installer failures explained."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from agentzip.builder import staging


def test_prune_caches_removes_the_folders_and_their_record_rows(tmp_path: Path) -> None:
    site = tmp_path / "packages"
    (site / "somelib/.mypy_cache/3.12").mkdir(parents=True)
    (site / "somelib/.mypy_cache/3.12/a.json").write_text("x" * 1000)
    (site / "somelib/__init__.py").write_text("")
    (site / "somelib-1.0.dist-info").mkdir()
    record = site / "somelib-1.0.dist-info/RECORD"
    record.write_text(
        "somelib/__init__.py,,\nsomelib/.mypy_cache/3.12/a.json,sha256=x,1000\nsomelib-1.0.dist-info/RECORD,,\n"
    )
    lines = staging.prune_caches(site)
    assert lines == ["somelib/.mypy_cache/: 1 files, 0.0 MB"]
    assert not (site / "somelib/.mypy_cache").exists() and (site / "somelib/__init__.py").exists()
    assert record.read_text() == "somelib/__init__.py,,\nsomelib-1.0.dist-info/RECORD,,\n"


def test_prune_caches_leaves_a_clean_site_alone(tmp_path: Path) -> None:
    site = tmp_path / "packages"
    (site / "lib").mkdir(parents=True)
    (site / "lib/__init__.py").write_text("")
    assert staging.prune_caches(site) == []
    assert (site / "lib/__init__.py").exists()


def test_check_and_build_say_which_mode_in_the_same_words(tmp_path: Path) -> None:
    from agentzip import api
    from agentzip.builder import settings

    (tmp_path / "main.py").write_text("print('hi')\n")
    (tmp_path / "requirements.txt").write_text("requests\n")
    report = api.check(tmp_path, no_config=True)
    checked = [n for n in report.notes if n.startswith("mode: ")]
    assert checked == [
        "mode: remote_build, inferred because the bundle has no packages/ or installed *.dist-info "
        "(build's default is bundled); set it with --mode or the definition's dependency resolution"
    ]
    built = settings.resolve(tmp_path, api.CheckRequest(no_config=True))
    assert built.mode_note.startswith("mode: bundled, build's default (the documented bundled build")
    assert built.mode_note.endswith(checked[0].rsplit(";", 1)[1])  # the same way to set it
    flagged = settings.resolve(tmp_path, api.CheckRequest(no_config=True, mode="remote_build"))
    assert flagged.mode_note == "mode: remote_build, from the flag"


# -- installer failures that point the way (recorded outputs of uv 0.13 and pip 24 on 2026-11-30) ----------

UV_TIKTOKEN_314 = """error: No solution found when resolving dependencies
  cause: Because tiktoken==0.12.0 has no usable wheels and you require tiktoken==0.12.0, we can conclude that your requirements are unsatisfiable.

hint: Wheels are required for `tiktoken` because building from source is disabled for all packages (i.e., with `--no-build`)"""
PIP_TIKTOKEN_314 = """ERROR: Could not find a version that satisfies the requirement tiktoken==0.12.0 (from versions: none)
ERROR: No matching distribution found for tiktoken==0.12.0"""
PIP_UNKNOWN = """Looking in indexes: https://pypi.org/simple
ERROR: Could not find a version that satisfies the requirement nosuchpkg-agentzip-xyz (from versions: none)
ERROR: No matching distribution found for nosuchpkg-agentzip-xyz"""
UV_UNKNOWN = """error: No solution found when resolving dependencies
  cause: Because nosuchpkg-agentzip-xyz was not found in the package registry and you require nosuchpkg-agentzip-xyz, we can conclude that your requirements are unsatisfiable."""

TIKTOKEN = [
    "tiktoken-0.12.0-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    "tiktoken-0.12.0-cp314-cp314-manylinux_2_28_x86_64.whl",
    "tiktoken-0.12.0-cp314-cp314-musllinux_1_2_x86_64.whl",
    "tiktoken-0.12.0-cp314-cp314-win_amd64.whl",
    "tiktoken-0.11.0-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
]


def _project(name: str, files: list[str]) -> Any:
    from agentzip.builder.available import parse_project

    body = json.dumps({"meta": {"api-version": "1.1"}, "name": name, "files": [{"filename": f} for f in files]})
    return parse_project(name, "https://pypi.org/simple", body.encode())


def _job314(installer: str) -> Any:
    from agentzip.builder import install

    return install.Install(Path("requirements.txt"), Path("/tmp/t"), (3, 14), (2, 17), installer)


def _explain(output: str, installer: str, pages: dict[str, Any] | None) -> str:
    from agentzip.builder import install

    lookup = None if pages is None else pages.get
    return install.explain_failure(output, _job314(installer), lookup=lookup)


@pytest.mark.parametrize(("output", "installer"), [(UV_TIKTOKEN_314, "uv"), (PIP_TIKTOKEN_314, "pip")])
def test_a_wheel_for_a_newer_glibc_is_named_with_what_accepts_it(output: str, installer: str) -> None:
    message = _explain(output, installer, {"tiktoken": _project("tiktoken", TIKTOKEN)})
    advice = message.splitlines()[-1]
    assert advice.startswith("  on the index: tiktoken 0.12.0 has cp314 wheels for Linux x86_64 only for glibc 2.28")
    assert "tiktoken-0.12.0-cp314-cp314-manylinux_2_28_x86_64.whl" in advice
    assert "--glibc 2.28 accepts them, assuming the runtime has glibc 2.28 (the platform promises only 2.17" in advice


def test_pip_does_not_blame_glibc_for_a_project_the_index_lacks() -> None:
    from agentzip.builder.available import Project

    missing = Project("nosuchpkg-agentzip-xyz", "https://pypi.org/simple", exists=False)
    message = _explain(PIP_UNKNOWN, "pip", {"nosuchpkg-agentzip-xyz": missing})
    advice = message.split("\n\n", 1)[1]
    assert (
        advice
        == "nosuchpkg-agentzip-xyz: no such project on https://pypi.org/simple: check the name, or the index options"
    )
    # offline (no answer from the index): still no glibc advice for what may be a typo
    offline = _explain(PIP_UNKNOWN, "pip", None).split("\n\n", 1)[1]
    assert "glibc 2.28" not in offline and "no such project" in offline


def test_uv_unknown_project_needs_no_index_question() -> None:
    asked: list[str] = []

    def lookup(name: str) -> None:
        asked.append(name)

    from agentzip.builder import install

    message = install.explain_failure(UV_UNKNOWN, _job314("uv"), lookup=lookup)
    assert message.endswith("nosuchpkg-agentzip-xyz is not on the package index: check the name, or the index options")
    assert asked == []


def test_advice_for_other_platforms_and_a_version_to_pin() -> None:
    from agentzip.builder.available import advice

    project = _project(
        "lib",
        [
            "lib-2.0-cp314-cp314-win_amd64.whl",
            "lib-2.0-cp314-cp314-macosx_11_0_arm64.whl",
            *["lib-1.5-cp314-cp314-manylinux_2_17_x86_64.whl"],
        ],
    )
    line = advice(project, "2.0", (3, 14), (2, 17))
    assert line == (
        "lib 2.0 has cp314 wheels only for other platforms (macosx_11_0_arm64, win_amd64), none for Linux x86_64; "
        "or pin lib==1.5, the newest version with such a wheel"
    )
    assert advice(_project("lib", ["lib-1.0-cp312-cp312-manylinux_2_17_x86_64.whl"]), None, (3, 14), (2, 17)) == (
        "lib 1.0 has no wheel for cp314 (wheels for cp312)"
    )


def test_a_page_that_is_not_the_index_json_is_no_answer() -> None:
    from agentzip.builder.available import parse_project

    with pytest.raises(ValueError):
        parse_project("x", "https://pypi.org/simple", b"<html></html>")
    with pytest.raises(ValueError):
        parse_project("x", "https://pypi.org/simple", b'{"files": 3}')


@pytest.mark.network
def test_the_real_index_says_tiktoken_needs_glibc_2_28_on_cp314() -> None:
    from agentzip.builder.available import advice, lookup

    project = lookup("tiktoken")
    if project is None:
        pytest.skip("the package index cannot be reached")
    assert "--glibc 2.28" in advice(project, "0.12.0", (3, 14), (2, 17))
    missing = lookup("nosuchpkg-agentzip-xyz")
    assert missing is not None and not missing.exists
