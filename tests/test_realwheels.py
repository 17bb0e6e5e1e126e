"""End-to-end: the dependency rules on bundles installed from real PyPI wheels (fixtures/realwheels.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentzip.api import check
from agentzip.validator.findings import Severity

pytestmark = pytest.mark.network
realwheels = pytest.importorskip("fixtures.realwheels", reason="the real-wheel recipes are not in this checkout")

# Distributions of the agent's dependency tree that ship compiled wheels per Python and platform
# (resolution pinned by the recipes' --exclude-newer).
NATIVE = {"aiohttp", "cffi", "charset-normalizer", "frozenlist", "multidict", "propcache", "wrapt", "yarl"}
# abi3 or per-platform-only wheels: fine across 3.12-3.14, wrong on another OS or CPU.
PLATFORM_ONLY = {"cryptography", "psutil"}


def _bundle(name: str, kind: str) -> Path:
    path: Path = realwheels.bundle_zip(name) if kind == "zip" else realwheels.bundle(name)
    return path


def _flagged(report: object) -> dict[str, Severity]:
    """Distribution (canonical name) -> severity of its incompatible-wheel-tag finding."""
    from packaging.utils import canonicalize_name

    out: dict[str, Severity] = {}
    for f in report.findings:  # type: ignore[attr-defined]
        if f.rule == "incompatible-wheel-tag":
            stem = f.path.split("/")[-1].removesuffix(".dist-info").split("-")[0]
            out[canonicalize_name(stem)] = f.severity
    return out


@pytest.mark.parametrize("kind", ["zip", "folder"])
def test_good_bundle_has_no_dependency_findings(kind: str) -> None:
    report = check(_bundle("good", kind), mode="bundled", select=["AZ2"], ignore=["AZ212"])
    assert report.findings == ()


def test_good_bundle_checked_as_a_whole_has_no_errors() -> None:
    report = check(_bundle("good", "zip"), mode="bundled")
    assert [f for f in report.findings if f.severity >= Severity.ERROR] == []


def test_good_bundle_index_facts() -> None:
    from agentzip.validator.bundle import Bundle
    from agentzip.validator.index import Index
    from agentzip.validator.target import Target

    index = Index(Bundle.open(_bundle("good", "zip")), Target(mode="bundled"), 1 << 30)
    assert index.site == "packages"
    assert len(index.distributions) == 72 and not any(d.problems for d in index.distributions)
    # a top-level extension module and a namespace package shared by many distributions
    assert [d.name for d in index.provided_modules["_cffi_backend"]] == ["cffi"]
    assert {"azure-identity", "azure-core"} <= {d.name for d in index.provided_modules["azure"]}
    assert [ln.requirement.name for ln in index.requirements.requirements if ln.requirement] == [
        "azure-ai-agentserver-responses",
        "azure-identity",
    ]


@pytest.mark.parametrize(
    ("recipe", "expected"),
    [
        ("win-amd64", NATIVE | PLATFORM_ONLY | {"protobuf"}),
        ("macos-arm64", NATIVE | PLATFORM_ONLY | {"protobuf"}),
        ("linux-aarch64", NATIVE | PLATFORM_ONLY | {"protobuf"}),
        ("musllinux", NATIVE | PLATFORM_ONLY),  # protobuf's musl build is the pure-Python wheel
        ("py312", NATIVE),
        ("py314", NATIVE),
    ],
)
def test_foreign_bundles_name_every_incompatible_distribution(recipe: str, expected: set[str]) -> None:
    report = check(_bundle(recipe, "zip"), mode="bundled", runtime="python_3_13", select=["AZ2"], ignore=["AZ212"])
    flagged = _flagged(report)
    assert set(flagged) == expected
    assert set(flagged.values()) == {Severity.ERROR}
    assert {f.rule for f in report.findings} == {"incompatible-wheel-tag"}


def test_py314_bundle_fits_the_python_3_14_runtime() -> None:
    report = check(_bundle("py314", "zip"), mode="bundled", runtime="python_3_14", select=["AZ2"], ignore=["AZ212"])
    assert report.findings == ()


def _binary_findings(report: object, rule: str) -> set[str]:
    """Canonical names of the distributions a native-binary rule names."""
    from packaging.utils import canonicalize_name

    out = set()
    for f in report.findings:  # type: ignore[attr-defined]
        assert f.rule == rule, f.message
        out.add(canonicalize_name(f.message.split(" ", 1)[0]))
    return out


@pytest.mark.parametrize("kind", ["zip", "folder"])
def test_good_bundle_has_no_binary_findings(kind: str) -> None:
    assert check(_bundle("good", kind), mode="bundled", select=["AZ3"]).findings == ()


@pytest.mark.parametrize(
    ("recipe", "rule", "expected"),
    [
        ("win-amd64", "windows-binary", NATIVE | PLATFORM_ONLY | {"protobuf"}),
        ("macos-arm64", "macos-binary", NATIVE | PLATFORM_ONLY | {"protobuf"}),
        ("linux-aarch64", "wrong-architecture", NATIVE | PLATFORM_ONLY | {"protobuf"}),
        ("musllinux", "musl-binary", NATIVE | PLATFORM_ONLY),
        ("py312", "extension-abi-mismatch", NATIVE),  # abi3 (cryptography, psutil, protobuf) loads on 3.13
        ("py314", "extension-abi-mismatch", NATIVE),
    ],
)
def test_foreign_bundles_get_the_matching_binary_rule(recipe: str, rule: str, expected: set[str]) -> None:
    report = check(_bundle(recipe, "zip"), mode="bundled", runtime="python_3_13", select=["AZ3"])
    assert _binary_findings(report, rule) == expected


def test_native_code_without_dist_info_is_caught_from_its_bytes(tmp_path: Path) -> None:
    # cryptography's Rust extension from the macOS bundle, copied next to main.py with a Linux name
    import shutil

    src = realwheels.bundle("macos-arm64") / "packages/cryptography/hazmat/bindings/_rust.abi3.so"
    agent = tmp_path / "agent"
    (agent / "vendor").mkdir(parents=True)
    (agent / "main.py").write_text("import vendor._rust\n")
    (agent / "requirements.txt").write_text("")
    shutil.copy(src, agent / "vendor/_rust.cpython-313-x86_64-linux-gnu.so")
    report = check(agent, select=["AZ3"])
    assert [(f.rule, f.path) for f in report.findings] == [
        ("macos-binary", "vendor/_rust.cpython-313-x86_64-linux-gnu.so")
    ]


# -- agentzip explain on the same bundles ---------------------------------------------------------


def _installed_modules(path: Path) -> list[str]:
    """Top-level modules the bundle's distributions really install (RECORD), not what top_level.txt claims."""
    from agentzip.validator.bundle import Bundle
    from agentzip.validator.index import Index
    from agentzip.validator.target import Target

    index = Index(Bundle.open(path), Target(mode="bundled"), 1 << 30)
    names = set()
    for p in index.owners:
        rel = p.removeprefix("packages/")
        top = rel.split("/", 1)[0].split(".", 1)[0]
        if "/" in rel or rel.endswith((".py", ".so")):
            names.add(top)
    return sorted(n for n in names if n.isidentifier() and n not in ("bin", "share", "include"))


def test_explain_finds_every_module_of_the_good_bundle_importable() -> None:
    from agentzip.api import explain

    path = _bundle("good", "zip")
    modules = [
        *_installed_modules(path),
        "azure.identity",
        "azure.ai.agentserver.responses",
        "cryptography.hazmat.bindings._rust",
    ]
    result = explain(path, modules=modules, mode="bundled", runtime="python_3_13")
    wrong = [(d.module, d.cause, d.message) for d in result.diagnoses if d.verdict != "imports"]
    assert wrong == [] and len(result.diagnoses) > 30


@pytest.mark.parametrize(
    ("recipe", "module", "code", "verdict", "named"),
    [
        ("win-amd64", "_cffi_backend", "AZ301", "fails", "_cffi_backend.cp313-win_amd64.pyd"),
        ("win-amd64", "azure.identity", "AZ301", "fails", "cannot import name 'x509'"),
        ("macos-arm64", "cryptography.hazmat.bindings._rust", "AZ302", "fails", "_rust.abi3.so"),
        ("linux-aarch64", "multidict", "AZ303", "fails-when-used", "aarch64"),
        ("musllinux", "psutil", "AZ304", "fails", "musl"),
        ("py312", "azure.ai.agentserver.responses", "AZ306", "fails-when-used", "cryptography -> cffi"),
    ],
)
def test_explain_names_the_native_cause_in_a_foreign_bundle(
    recipe: str, module: str, code: str, verdict: str, named: str
) -> None:
    from agentzip.api import explain

    (d,) = explain(_bundle(recipe, "zip"), modules=[module], mode="bundled", runtime="python_3_13").diagnoses
    assert (d.verdict, d.code) == (verdict, code), d.message
    assert named in d.message and "--platform manylinux2014_x86_64" in d.fix


def test_explain_does_not_blame_a_native_with_a_pure_python_fallback() -> None:
    from agentzip.api import explain

    (d,) = explain(_bundle("py312", "zip"), modules=["yarl"], mode="bundled", runtime="python_3_13").diagnoses
    assert (d.verdict, d.cause, d.code) == ("imports-fallback", "ok-degraded", "AZ306")
