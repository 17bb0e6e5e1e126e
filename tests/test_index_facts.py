"""The Index's per-folder and per-extension tables agree with working each file out on its own."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from agentzip.validator.bundle import Bundle, BundleFile
from agentzip.validator.index import Index
from agentzip.validator.target import Target
from tests.fuzz import PROFILE

_part = st.sampled_from(["a", "B", "pkg", ".venv", "x.py", "Y.PY", "z.Py", ".whl", "w.whl", "n", "", "c.tar.gz"])
_paths = st.lists(st.lists(_part, min_size=1, max_size=4).map("/".join), max_size=25)


def _index(paths: list[str]) -> Index:
    files = [BundleFile(p, 1) for p in paths]
    return Index(Bundle("folder", Path("agent"), files, len(files)), Target(runtime="python_3_13", mode="bundled"), 1)


@settings(settings.get_profile(PROFILE))
@given(_paths)
def test_folders_and_extensions_match_each_file_on_its_own(paths: list[str]) -> None:
    index = _index(paths)
    folders: dict[str | None, list[int]] = {}
    extensions: dict[str, list[int]] = {}
    for n, p in enumerate(paths):
        parent, slash, name = p.rpartition("/")
        folders.setdefault(parent if slash else None, []).append(n)
        extensions.setdefault(name.rpartition(".")[2].lower() if "." in name else "", []).append(n)
    assert index.folders == folders
    assert index.extensions == extensions
    assert index.root_files == {p for p in paths if "/" not in p}
    wanted = [f for f in index.files if f.path.lower().endswith((".whl", ".gz"))]
    assert index.with_extension("whl", "gz") == wanted  # bundle order across both tables


def test_the_root_is_not_the_folder_named_empty() -> None:
    index = _index(["main.py", "/passwd", "a/b.txt"])
    assert index.folders == {None: [0], "": [1], "a": [2]}
    assert index.root_files == {"main.py"}
