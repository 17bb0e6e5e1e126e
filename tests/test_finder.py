"""The import model (validator/finder.py): the target's PathFinder walk, as tables over zip and folder bundles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agentzip.api import contexts
from agentzip.validator.finder import Finder, Resolution
from tests.conftest import Files

SO312 = ".cpython-312-x86_64-linux-gnu.so"
SO313 = ".cpython-313-x86_64-linux-gnu.so"
SO314 = ".cpython-314-x86_64-linux-gnu.so"


def find(path: Path, name: str, runtime: str = "python_3_13", skip: str | None = None) -> Resolution:
    ((ctx, _),) = list(contexts(path, runtime=runtime, mode="bundled"))
    return Finder.for_context(ctx).find(name, skip)


MAIN: Files = {"main.py": "", "requirements.txt": ""}

# (files, module, runtime, expected: (kind, path, entry) of the module's spec, or None when not found)
CASES: list[tuple[Files, str, str, tuple[str, str | None, Any] | None]] = [
    # namespace packages merge across the root and packages/; the first portion with the child wins
    (
        {**MAIN, "azure/mine.py": "", "packages/azure/identity/__init__.py": ""},
        "azure",
        "python_3_13",
        ("namespace", "azure/", None),
    ),
    (
        {**MAIN, "azure/mine.py": "", "packages/azure/identity/__init__.py": ""},
        "azure.identity",
        "python_3_13",
        ("package", "packages/azure/identity/", "packages"),
    ),
    (
        {**MAIN, "azure/mine.py": "", "packages/azure/identity/__init__.py": ""},
        "azure.mine",
        "python_3_13",
        ("module", "azure/mine.py", ""),
    ),
    # nested namespaces (azure.ai.agentserver) merge at every level
    (
        {
            **MAIN,
            "packages/azure/ai/agentserver/core/__init__.py": "",
            "azure/ai/agentserver/local.py": "",
        },
        "azure.ai.agentserver.core",
        "python_3_13",
        ("package", "packages/azure/ai/agentserver/core/", "packages"),
    ),
    # a regular package ends the search: the same name in packages/ is never reached
    (
        {**MAIN, "tools/__init__.py": "", "packages/tools/__init__.py": "", "packages/tools/web.py": ""},
        "tools.web",
        "python_3_13",
        None,
    ),
    (
        {**MAIN, "tools/__init__.py": "", "packages/tools/__init__.py": ""},
        "tools",
        "python_3_13",
        ("package", "tools/", ""),
    ),
    # a module beats a namespace portion found earlier on sys.path
    (
        {**MAIN, "yaml/notes.txt": "", "packages/yaml.py": ""},
        "yaml",
        "python_3_13",
        ("module", "packages/yaml.py", "packages"),
    ),
    # extension suffixes are the target's: cpython-313 and abi3 load on 3.13, cpython-312 does not
    ({**MAIN, f"packages/fast{SO313}": ""}, "fast", "python_3_13", ("extension", f"packages/fast{SO313}", "packages")),
    ({**MAIN, f"packages/fast{SO312}": ""}, "fast", "python_3_13", None),
    ({**MAIN, "packages/fast.abi3.so": ""}, "fast", "python_3_13", ("extension", "packages/fast.abi3.so", "packages")),
    ({**MAIN, f"packages/fast{SO313}": ""}, "fast", "python_3_14", None),
    ({**MAIN, f"packages/fast{SO314}": ""}, "fast", "python_3_14", ("extension", f"packages/fast{SO314}", "packages")),
    # an extension comes before the .py of the same name
    (
        {**MAIN, f"packages/fast{SO313}": "", "packages/fast.py": ""},
        "fast",
        "python_3_13",
        ("extension", f"packages/fast{SO313}", "packages"),
    ),
    # the target's standard library, after every sys.path entry; modules loaded first cannot be hidden
    (MAIN, "json.decoder", "python_3_13", ("stdlib", None, None)),
    (MAIN, "cgi", "python_3_13", None),  # removed in 3.13
    ({**MAIN, "json.py": ""}, "json", "python_3_13", ("module", "json.py", "")),
    ({**MAIN, "sys.py": ""}, "sys", "python_3_13", ("builtin", None, None)),
    (MAIN, "winreg", "python_3_13", None),  # Windows-only
    # submodules only in the parent's __path__: a root file named like the child is not it
    ({**MAIN, "loader.py": "", "packages/yaml/__init__.py": ""}, "yaml.loader", "python_3_13", None),
    (
        {**MAIN, "packages/yaml/__init__.py": "", "packages/yaml/loader.py": ""},
        "yaml.loader",
        "python_3_13",
        ("module", "packages/yaml/loader.py", "packages"),
    ),
]


@pytest.mark.parametrize(("files", "module", "runtime", "expected"), CASES)
def test_finder_walk(make_bundle, files: Files, module: str, runtime: str, expected: Any) -> None:  # type: ignore[no-untyped-def]
    r = find(make_bundle(files), module, runtime)
    spec = r.spec
    got = (spec.kind, spec.path, spec.entry) if spec is not None else None
    assert got == expected, r.steps
    assert r.found == (expected is not None)


def test_namespace_search_path_lists_every_portion(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files = {**MAIN, "azure/mine.py": "", "packages/azure/core/__init__.py": ""}
    spec = find(make_bundle(files), "azure").spec
    assert spec is not None and spec.search == ("azure", "packages/azure")


def test_not_found_names_the_missing_part_and_the_steps(make_bundle) -> None:  # type: ignore[no-untyped-def]
    r = find(make_bundle({**MAIN, "packages/yaml/__init__.py": ""}), "yaml.nope.deeper")
    assert (r.found, r.missing, len(r.specs)) == (False, "yaml.nope", 1)
    assert "`yaml` has no `nope`" in r.reason
    assert [(s.where, s.found, s.kind) for s in r.steps] == [
        ("./", None, None),
        ("packages/", "packages/yaml/", "package"),
    ]
    top = find(make_bundle(MAIN), "nothere")
    assert top.missing == "nothere" and [s.where for s in top.steps] == ["./", "stdlib"]  # no packages/ here


def test_skip_leaves_the_agents_folder_out(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files = {**MAIN, "openai.py": "", "packages/openai/__init__.py": ""}
    path = make_bundle(files)
    assert find(path, "openai").spec.path == "openai.py"  # type: ignore[union-attr]
    assert find(path, "openai", skip="").spec.path == "packages/openai/"  # type: ignore[union-attr]


def test_entry_point_folder_is_the_first_entry(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files = {"app/main.py": "", "app/tools.py": "", "tools.py": "", "requirements.txt": ""}
    ((ctx, _),) = list(contexts(make_bundle(files), runtime="python_3_13", mode="bundled", entry_point="app/main.py"))
    finder = Finder.for_context(ctx)
    assert finder.entries == ("app",)
    assert finder.find("tools").spec.path == "app/tools.py"  # type: ignore[union-attr]


def test_source_file_and_module_name(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files = {
        **MAIN,
        "packages/yaml/__init__.py": "",
        f"packages/yaml/_fast{SO313}": "",
        "tools.py": "",
        "docs/x.py": "",
    }
    ((ctx, _),) = list(contexts(make_bundle(files), runtime="python_3_13", mode="bundled"))
    finder = Finder.for_context(ctx)
    yaml, fast, tools = (finder.find(n).spec for n in ("yaml", "yaml._fast", "tools"))
    assert yaml is not None and finder.source_file(yaml) == "packages/yaml/__init__.py"
    assert fast is not None and finder.source_file(fast) is None  # an extension has no source
    assert tools is not None and finder.source_file(tools) == "tools.py"
    assert finder.module_name(f"packages/yaml/_fast{SO313}") == "yaml._fast"
    assert finder.module_name("packages/yaml/__init__.py") == "yaml"
    assert finder.module_name("tools.py") == "tools"
    assert finder.module_name("docs/x.py") == "docs.x"  # the root is an entry: a namespace portion
