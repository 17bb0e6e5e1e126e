"""Dependency rules (AZ2xx): each with clean cases that must not fire and bad cases that must, zip and folder."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable

import pytest

from agentzip.api import check
from tests.conftest import codes

MAIN = {"main.py": "import requests\n"}


def dist(
    name: str,
    version: str = "1.0",
    *,
    requires: Iterable[str] = (),
    tags: Iterable[str] = ("py3-none-any",),
    requires_python: str | None = None,
    modules: Iterable[str] | None = None,
    site: str = "packages",
    record_extra: Iterable[str] = (),
    top_level: str | None = None,
    direct_url: str | None = None,
    metadata: str | None = None,
) -> dict[str, str]:
    """An installed distribution as files: its modules and a dist-info whose RECORD lists them."""
    prefix = f"{site}/" if site else ""
    stem = f"{name.replace('-', '_')}-{version}.dist-info"
    mods = list(modules) if modules is not None else [name.replace("-", "_").lower() + "/__init__.py"]
    files = {f"{prefix}{m}": "x = 1\n" for m in mods}
    if metadata is None:
        lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
        lines += [f"Requires-Dist: {r}" for r in requires]
        if requires_python:
            lines.append(f"Requires-Python: {requires_python}")
        metadata = "\n".join(lines) + "\n\nA long description.\n"
    info = {
        "METADATA": metadata,
        "WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n" + "".join(f"Tag: {t}\n" for t in tags),
        "INSTALLER": "pip\n",
    }
    if top_level is not None:
        info["top_level.txt"] = top_level
    if direct_url is not None:
        info["direct_url.json"] = direct_url
    record = [*mods, *(f"{stem}/{k}" for k in info), f"{stem}/RECORD"]
    info["RECORD"] = "".join(f"{p},sha256=abc,1\n" for p in record) + "".join(f"{p},,\n" for p in record_extra)
    files.update({f"{prefix}{stem}/{k}": v for k, v in info.items()})
    return files


def reqs(*lines: str) -> dict[str, str]:
    return {"requirements.txt": "\n".join(lines) + "\n"}


def wheel_bytes(name: str = "requests", version: str = "2.32.3") -> bytes:
    """A tiny but real wheel (what pip download leaves behind)."""
    buf = io.BytesIO()
    stem = f"{name}-{version}.dist-info"
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(f"{name}/__init__.py", "x = 1\n")
        zf.writestr(
            f"{stem}/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nRequires-Dist: idna\n"
        )
        zf.writestr(f"{stem}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        zf.writestr(f"{stem}/RECORD", f"{name}/__init__.py,,\n{stem}/METADATA,,\n{stem}/WHEEL,,\n{stem}/RECORD,,\n")
    return buf.getvalue()


BUNDLED = {"mode": "bundled"}
REMOTE = {"mode": "remote_build"}

# A clean bundled agent: requests with its dependencies, one of them through an extra.
GOOD = {
    **MAIN,
    **reqs("requests[socks]==2.32.3"),
    **dist(
        "requests",
        "2.32.3",
        requires=["idna>=2.5", 'PySocks!=1.5.7,>=1.5.6; extra == "socks"', 'chardet<6; extra == "charset"'],
    ),
    **dist("idna", "3.10", requires_python=">=3.6"),
    **dist("PySocks", "1.7.1", modules=["socks.py", "sockshandler.py"]),
}

CASES = [
    # (rule, files, check kwargs, fires)
    ("raw-wheel", GOOD, BUNDLED, False),
    (
        "raw-wheel",
        {**MAIN, **reqs("requests"), "packages/requests-2.32.3-py3-none-any.whl": wheel_bytes()},
        BUNDLED,
        True,
    ),
    ("raw-wheel", {**GOOD, "wheels/numpy-2.1.0-cp313-cp313-win_amd64.whl": b"PK"}, BUNDLED, True),
    (
        "raw-wheel",
        {
            **MAIN,
            **reqs("./wheels/requests-2.32.3-py3-none-any.whl"),
            "wheels/requests-2.32.3-py3-none-any.whl": wheel_bytes(),
        },
        REMOTE,
        False,
    ),
    ("packages-missing", GOOD, BUNDLED, False),
    ("packages-missing", {**MAIN, **reqs("requests==2.32.3")}, BUNDLED, True),
    ("packages-missing", {**MAIN, **reqs("# nothing yet", "")}, BUNDLED, False),
    ("packages-missing", {**MAIN, **reqs("requests==2.32.3")}, REMOTE, False),
    ("packages-missing", {**MAIN, **reqs("requests"), **dist("requests", site="")}, BUNDLED, False),  # pip install -t .
    ("requirement-not-bundled", GOOD, BUNDLED, False),
    ("requirement-not-bundled", {**GOOD, **reqs("requests[socks]==2.32.3", "azure-identity>=1.19")}, BUNDLED, True),
    ("requirement-not-bundled", {**GOOD, **reqs("requests==2.31.0")}, BUNDLED, True),
    (
        "requirement-not-bundled",
        {**GOOD, **reqs("Requests[socks]==2.32.3", "IDNA>=3")},
        BUNDLED,
        False,
    ),  # names normalised
    ("requirement-not-bundled", {**GOOD, **reqs("requests", "pywin32; sys_platform == 'win32'")}, BUNDLED, False),
    # the host-marker trap: markers are the target's (3.13), never the host's
    ("requirement-not-bundled", {**GOOD, **reqs("requests", 'tomli; python_version < "3.12"')}, BUNDLED, False),
    (
        "requirement-not-bundled",
        {**GOOD, **reqs("requests", 'typing_extensions; python_version >= "3.12"')},
        BUNDLED,
        True,
    ),
    (
        "requirement-not-bundled",
        {
            **GOOD,
            **reqs("requests", 'typing_extensions; python_version >= "3.12"'),
            **dist("typing-extensions", "4.12.2", modules=["typing_extensions.py"]),
        },
        BUNDLED,
        False,
    ),
    ("dependency-not-bundled", GOOD, BUNDLED, False),
    (
        "dependency-not-bundled",
        {**MAIN, **reqs("requests[socks]"), **dist("requests", requires=["idna>=2.5"])},
        BUNDLED,
        True,
    ),
    (
        "dependency-not-bundled",
        {**MAIN, **reqs("requests"), **dist("requests", requires=["idna>=2.5"]), **dist("idna", "2.0")},
        BUNDLED,
        True,
    ),
    # an extra nobody asked for is not needed; one a dependent asked for is
    (
        "dependency-not-bundled",
        {**MAIN, **reqs("requests"), **dist("requests", requires=['PySocks; extra == "socks"'])},
        BUNDLED,
        False,
    ),
    (
        "dependency-not-bundled",
        {
            **MAIN,
            **reqs("app"),
            **dist("app", requires=["requests[socks]"]),
            **dist("requests", requires=['PySocks; extra == "socks"']),
        },
        BUNDLED,
        True,
    ),
    (
        "dependency-not-bundled",
        {**MAIN, **dist("app", requires=['tomli; python_version < "3.11"', 'exceptiongroup; python_version < "3.11"'])},
        BUNDLED,
        False,
    ),
    (
        "dependency-not-bundled",
        {**MAIN, **dist("app", requires=['typing-extensions>=4; python_version >= "3.12"'])},
        BUNDLED,
        True,
    ),
    ("incompatible-wheel-tag", GOOD, BUNDLED, False),
    (
        "incompatible-wheel-tag",
        {
            **GOOD,
            **dist(
                "pydantic-core",
                "2.27.2",
                tags=["cp313-cp313-manylinux_2_17_x86_64", "cp313-cp313-manylinux2014_x86_64"],
            ),
        },
        BUNDLED,
        False,
    ),
    (
        "incompatible-wheel-tag",
        {**GOOD, **dist("cryptography", "44.0.0", tags=["cp39-abi3-manylinux_2_17_x86_64"])},
        BUNDLED,
        False,
    ),
    (
        "incompatible-wheel-tag",
        {**GOOD, **dist("pydantic-core", "2.27.2", tags=["cp313-cp313-win_amd64"])},
        BUNDLED,
        True,
    ),
    (
        "incompatible-wheel-tag",
        {**GOOD, **dist("pydantic-core", "2.27.2", tags=["cp312-cp312-manylinux_2_17_x86_64"])},
        BUNDLED,
        True,
    ),
    (
        "incompatible-wheel-tag",
        {**GOOD, **dist("pydantic-core", "2.27.2", tags=["cp313-cp313-macosx_11_0_arm64"])},
        BUNDLED,
        True,
    ),
    (
        "incompatible-wheel-tag",
        {**GOOD, **dist("pydantic-core", "2.27.2", tags=["cp313-cp313-manylinux_2_17_aarch64"])},
        BUNDLED,
        True,
    ),
    (
        "incompatible-wheel-tag",
        {**GOOD, **dist("pydantic-core", "2.27.2", tags=["cp313-cp313-musllinux_1_2_x86_64"])},
        BUNDLED,
        True,
    ),
    (
        "incompatible-wheel-tag",
        {**GOOD, **dist("onnxruntime", "1.20.1", tags=["cp313-cp313-manylinux_2_28_x86_64"])},
        BUNDLED,
        True,
    ),
    ("requires-python-mismatch", GOOD, BUNDLED, False),
    ("requires-python-mismatch", {**GOOD, **dist("oldlib", requires_python="<3.13,>=3.8")}, BUNDLED, True),
    (
        "requires-python-mismatch",
        {**GOOD, **dist("oldlib", requires_python="<3.13,>=3.8")},
        {"mode": "bundled", "runtime": "python_3_14"},
        True,
    ),
    (
        "requires-python-mismatch",
        {**GOOD, **dist("newlib", requires_python=">=3.14")},
        {"mode": "bundled", "runtime": "python_3_14"},
        False,
    ),
    ("editable-install", GOOD, BUNDLED, False),
    (
        "editable-install",
        {
            **GOOD,
            **dist(
                "mylib",
                "0.1",
                modules=["__editable__.mylib-0.1.pth"],
                direct_url='{"url": "file:///home/me/src/mylib", "dir_info": {"editable": true}}',
            ),
        },
        BUNDLED,
        True,
    ),
    (
        "editable-install",
        {**GOOD, **dist("mylib", "0.1", direct_url='{"url": "file:///home/me/src/mylib", "dir_info": {}}')},
        BUNDLED,
        False,
    ),
    ("editable-install", {**GOOD, "packages/mylib.egg-link": "/home/me/src/mylib\n."}, BUNDLED, True),
    ("sdist-in-bundle", GOOD, BUNDLED, False),
    ("sdist-in-bundle", {**GOOD, "packages/pyyaml-6.0.2.tar.gz": b"\x1f\x8b"}, BUNDLED, True),
    ("sdist-in-bundle", {**GOOD, "packages/mylib.egg-info/PKG-INFO": "Name: mylib\n"}, BUNDLED, True),
    ("sdist-in-bundle", {**GOOD, "packages/idna/data/table.zip": b"PK"}, BUNDLED, False),  # package data, not an sdist
    ("duplicate-distribution", GOOD, BUNDLED, False),
    ("duplicate-distribution", {**GOOD, **dist("requests", "2.31.0")}, BUNDLED, True),
    ("duplicate-distribution", {**GOOD, **dist("idna", "3.10", site="")}, BUNDLED, True),
    (
        "remote-requirement-unbuildable",
        {
            **MAIN,
            **reqs(
                "-i https://pypi.org/simple", "requests==2.32.3 --hash=sha256:abc", "pywin32; sys_platform == 'win32'"
            ),
        },
        REMOTE,
        False,
    ),
    ("remote-requirement-unbuildable", {**MAIN, **reqs("requests==2.32.3", "-e ../shared-lib")}, REMOTE, True),
    ("remote-requirement-unbuildable", {**MAIN, **reqs("mylib @ file:///home/me/mylib")}, REMOTE, True),
    (
        "remote-requirement-unbuildable",
        {**MAIN, **reqs("mylib @ git+ssh://git@github.com/org/mylib.git")},
        REMOTE,
        True,
    ),
    (
        "remote-requirement-unbuildable",
        {**MAIN, **reqs("--extra-index-url https://pkgs.dev.azure.com/org/_packaging/feed/pypi/simple/", "mylib")},
        REMOTE,
        True,
    ),
    ("remote-requirement-unbuildable", {**MAIN, **reqs("--find-links ./wheels", "mylib")}, REMOTE, True),
    ("remote-requirement-unbuildable", {**MAIN, **reqs("-e ../shared-lib")}, BUNDLED, False),
    ("dist-info-broken", GOOD, BUNDLED, False),
    (
        "dist-info-broken",
        {**GOOD, **dist("broken", metadata="Metadata-Version: 2.1\nSummary: no name\n")},
        BUNDLED,
        True,
    ),
    (
        "dist-info-broken",
        {**GOOD, **dist("torch", record_extra=["torch/bin/torch_shm_manager", "torch/lib/libtorch.so"])},
        BUNDLED,
        True,
    ),
    (
        "dist-info-broken",
        {**GOOD, **dist("black", record_extra=["../../bin/black", "black/__pycache__/x.cpython-313.pyc"])},
        BUNDLED,
        False,
    ),
    (
        "dist-info-broken",
        {**GOOD, **dist("black", record_extra=["bin/black"])},
        BUNDLED,
        False,
    ),  # uv's scripts; azd drops bin/
]


@pytest.mark.parametrize(("rule", "files", "kwargs", "fires"), CASES)
def test_dependency_rule(make_bundle, rule, files, kwargs, fires) -> None:  # type: ignore[no-untyped-def]
    report = check(make_bundle(files), select=[rule], **kwargs)
    assert (rule in codes(report)) is fires, report.findings


def test_good_bundle_is_clean_under_every_dependency_rule(make_bundle) -> None:  # type: ignore[no-untyped-def]
    report = check(make_bundle(GOOD), select=["AZ2"], mode="bundled")
    assert report.findings == ()


def test_host_marker_trap(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files = {
        **GOOD,
        **reqs("requests[socks]", 'tomli; python_version < "3.12"', 'typing_extensions; python_version >= "3.12"'),
    }
    (f,) = check(make_bundle(files), select=["requirement-not-bundled"], mode="bundled").findings
    assert "typing_extensions" in f.message and f.line == 3


def test_missing_dependency_is_one_finding_naming_every_dependent(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files = {**MAIN, **dist("a", requires=["idna"]), **dist("b", requires=["IDNA>=3"])}
    (f,) = check(make_bundle(files), select=["dependency-not-bundled"], mode="bundled").findings
    assert "a 1.0" in f.message and "b 1.0" in f.message and len(f.paths) == 2


def test_wrong_tag_message_names_tags_and_target(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files = {**GOOD, **dist("pydantic-core", "2.27.2", tags=["cp312-cp312-win_amd64"])}
    (f,) = check(make_bundle(files), select=["incompatible-wheel-tag"], mode="bundled").findings
    assert f.severity.label == "error" and f.path == "packages/pydantic_core-2.27.2.dist-info"
    assert "cp312-cp312-win_amd64" in f.message and "cp313" in f.message and "win_amd64" in f.message


def test_newer_manylinux_is_a_warning_and_the_floor_is_configurable(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files = {**GOOD, **dist("onnxruntime", "1.20.1", tags=["cp313-cp313-manylinux_2_28_x86_64"])}
    path = make_bundle(files)
    (f,) = check(path, select=["incompatible-wheel-tag"], mode="bundled").findings
    assert f.severity.label == "warning" and "2.28" in f.message and "--glibc 2.28" in f.hint
    assert check(path, select=["incompatible-wheel-tag"], mode="bundled", glibc_floor=(2, 28)).findings == ()


def test_raw_wheel_describes_it_and_gives_the_install_command(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files = {**MAIN, **reqs("requests"), "packages/requests-2.32.3-py3-none-any.whl": wheel_bytes()}
    (f,) = check(make_bundle(files), select=["raw-wheel"], mode="bundled").findings
    assert "requests 2.32.3" in f.message and "py3-none-any" in f.message and "fit the target" in f.message
    assert "--only-binary=:all: packages/*.whl && rm packages/*.whl" in f.hint


def test_raw_wheel_for_another_platform_says_so(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files = {**GOOD, "packages/numpy-2.1.0-cp313-cp313-win_amd64.whl": b"PK"}
    (f,) = check(make_bundle(files), select=["raw-wheel"], mode="bundled").findings
    assert "do NOT fit" in f.message and "'numpy==2.1.0'" in f.hint


def test_packages_missing_says_where_it_looked(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files = {**MAIN, **reqs("requests"), "packages/requests-2.32.3-py3-none-any.whl": wheel_bytes()}
    (f,) = check(make_bundle(files), select=["packages-missing"], mode="bundled").findings
    assert "packages/ or at the zip root" in f.message and "raw .whl" in f.message


def test_broken_record_is_one_finding_with_every_path(make_bundle) -> None:  # type: ignore[no-untyped-def]
    gone = [f"torch/lib/lib{i}.so" for i in range(40)]
    (f,) = check(
        make_bundle({**GOOD, **dist("torch", record_extra=gone)}), select=["dist-info-broken"], mode="bundled"
    ).findings
    assert "40 file(s)" in f.message and len(f.paths) == 40


def test_remote_build_names_the_line(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files = {**MAIN, **reqs("requests", "", "# private", "mylib @ git+ssh://git@github.com/org/mylib.git")}
    (f,) = check(make_bundle(files), select=["remote-requirement-unbuildable"], mode="remote_build").findings
    assert (f.path, f.line) == ("requirements.txt", 4) and "SSH" in f.message


def test_public_vcs_url_and_in_bundle_paths_are_warnings(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files = {**MAIN, **reqs("git+https://github.com/org/lib.git#egg=lib", "./vendor/lib"), "vendor/lib/setup.py": "x\n"}
    found = check(make_bundle(files), select=["remote-requirement-unbuildable"], mode="remote_build").findings
    assert [f.severity.label for f in found] == ["warning", "warning"]


def test_root_site_is_accepted_and_named(make_bundle) -> None:  # type: ignore[no-untyped-def]
    from agentzip.validator.bundle import Bundle
    from agentzip.validator.index import Index
    from agentzip.validator.target import Target

    files = {**MAIN, **reqs("requests"), **dist("requests", site="", requires=["idna"]), **dist("idna", site="")}
    index = Index(Bundle.open(make_bundle(files)), Target(mode="bundled"), 1 << 30)
    assert index.site == "root"
    assert [d.name for d in index.distributions] == ["idna", "requests"]
    assert index.provided_modules["requests"][0].location == "root"
    assert check(make_bundle(files), select=["AZ2"], ignore=["AZ212"], mode="bundled").findings == ()


def test_platform_reasons_are_named(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files = {
        **GOOD,
        **dist("cffi", "2.0", tags=["cp313-cp313-manylinux_2_17_aarch64"]),
        **dist("mc", tags=["cp313-cp313-musllinux_1_2_x86_64"]),
    }
    found = {
        f.path: f.message for f in check(make_bundle(files), select=["incompatible-wheel-tag"], mode="bundled").findings
    }
    assert "another CPU than x86_64" in found["packages/cffi-2.0.dist-info"]
    assert "musl" in found["packages/mc-1.0.dist-info"]


def test_requirements_parsing(make_bundle) -> None:  # type: ignore[no-untyped-def]
    from agentzip.validator.bundle import Bundle
    from agentzip.validator.index import Index
    from agentzip.validator.target import Target

    text = (
        "# pinned\n"
        "requests[socks]==2.32.3 \\\n"
        "    --hash=sha256:abc  # a comment\n"
        "-r more.txt\n"
        "--index-url=https://pypi.org/simple\n"
        "-e ./lib\n"
        "git+https://github.com/a/b.git#egg=bee\n"
        "bad ==== line\n"
    )
    files = {
        "requirements.txt": text,
        "more.txt": "-c constraints.txt\nidna>=3\n",
        "constraints.txt": "urllib3<3\n",
        "utf16.txt": "x\n",
    }
    index = Index(Bundle.open(make_bundle(files)), Target(), 1 << 30)
    r = index.requirements
    assert r.files == ("requirements.txt", "more.txt", "constraints.txt")
    names = [(ln.where, ln.requirement.name if ln.requirement else None) for ln in r.requirements]
    assert names == [
        ("requirements.txt:2", "requests"),
        ("more.txt:2", "idna"),
        ("requirements.txt:6", None),
        ("requirements.txt:7", "bee"),
    ]
    assert r.requirements[0].hashes == ("sha256:abc",) and r.requirements[2].editable
    assert [ln.line for ln in r.problems] == [8]
    assert [(ln.option, ln.value) for ln in r.options][:2] == [
        ("--requirement", "more.txt"),
        ("--constraint", "constraints.txt"),
    ]
    assert any(ln.constraint and ln.requirement and ln.requirement.name == "urllib3" for ln in r.lines)


def test_utf16_requirements_from_powershell(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files = {**GOOD, "requirements.txt": "requests[socks]==2.32.3\r\nazure-identity\r\n".encode("utf-16")}
    (f,) = check(make_bundle(files), select=["requirement-not-bundled"], mode="bundled").findings
    assert "azure-identity" in f.message and f.line == 2


def test_marker_environment_is_the_targets() -> None:
    from agentzip.validator.target import Target

    env = Target(runtime="python_3_14").marker_environment()
    assert (env["python_version"], env["sys_platform"], env["platform_machine"]) == ("3.14", "linux", "x86_64")
    assert env["implementation_name"] == "cpython" and env["os_name"] == "posix"
