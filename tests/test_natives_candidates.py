"""natives.candidates from the suffix groups picks exactly the files the file-by-file walk picked."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from agentzip.validator.bundle import Bundle, BundleFile
from agentzip.validator.index import Index
from agentzip.validator.natives import SKIP_SUFFIXES, SMALLEST_NATIVE, candidates
from agentzip.validator.target import Target
from tests.fuzz import PROFILE

_METADATA = (".dist-info", ".egg-info")
_DOTNET_RID = re.compile(r"(?:^|/)runtimes/(?P<rid>[^/]+)/")


def reference(
    files: list[BundleFile],
    folders: Mapping[str | None, list[int]],
    is_junk: Callable[[str], bool],
    target: Target,
) -> list[BundleFile]:
    """candidates as it was: every file of every folder, its suffix tested one by one."""
    keep: list[int] = []
    for parent, members in folders.items():
        if parent is not None and (parent.endswith(_METADATA) or is_junk(files[members[0]].path)):
            continue
        for n in members:
            f = files[n]
            if f.is_symlink or f.size < SMALLEST_NATIVE:
                continue
            path = f.path
            slash = path.rfind("/")
            dot = path.rfind(".")
            if dot > slash + 1 and path[dot + 1 :] in SKIP_SUFFIXES:
                continue
            if parent is None and (path[:-1].endswith(_METADATA) or is_junk(path)):
                continue
            if target.is_dotnet:
                m = _DOTNET_RID.search(path)
                if m and m.group("rid") not in ("linux-x64", "unix", "linux"):
                    continue
            keep.append(n)
    keep.sort()
    return [files[n] for n in keep]


_folder = st.sampled_from(
    ["packages", "pkg", "x.dist-info", "y.egg-info", ".venv", "node_modules", "runtimes", "win-x64", "linux-x64", ""]
)
_name = st.one_of(
    st.sampled_from(
        [
            "a.py",
            "b.PY",
            "c.Py",
            ".py",
            ".so",
            "x.so",
            "LICENSE",
            "x.LICENSE",
            "x.License",
            "x.license",
            "bin",
            "e.txt",
            "_m.cpython-313-x86_64-linux-gnu.so",
            "venv",
            ".venv",
            "g.dist-infoX",
            "h.egg-infoY",
            "a.",
            "a.b.json",
            "K.\u212aey",
            "x.whl",
        ]
    ),
    st.text(alphabet="aP.y/Lk\0", min_size=1, max_size=6),
)
_file = st.tuples(
    st.lists(_folder, max_size=3).map("/".join),
    _name,
    st.sampled_from([0, SMALLEST_NATIVE - 1, SMALLEST_NATIVE, 4096]),
    st.booleans(),
)


@settings(settings.get_profile(PROFILE), max_examples=500)  # cheap: no bundle is read
@given(st.lists(_file, max_size=30), st.sampled_from(["python_3_13", "dotnet_10"]))
def test_candidates_match_the_file_by_file_walk(specs: list[tuple[str, str, int, bool]], runtime: str) -> None:
    files = [
        BundleFile(f"{folder}/{name}" if folder else name, size, is_symlink=link) for folder, name, size, link in specs
    ]
    files = [f for f in files if not f.path.endswith("/")]  # a name ending in '/' is a folder
    target = Target(runtime=runtime, mode="bundled")
    index = Index(Bundle("folder", Path("agent"), files, 0), target, 1)
    want = reference(index.files, index.folders, index.is_junk, target)
    assert candidates(index.files, index.extensions, index.is_junk, target) == want


def test_a_text_group_is_dropped_whole_and_its_odd_members_kept() -> None:
    paths = ["main.py", "pkg/a.py", "pkg/B.PY", "pkg/.py", "lib/x.so", "pkg/c.json", "LICENSE", "d.LICENSE", ".json"]
    files = [BundleFile(p, 100) for p in paths]
    target = Target(runtime="python_3_13", mode="bundled")
    index = Index(Bundle("folder", Path("agent"), files, 0), target, 1)
    got = [f.path for f in candidates(index.files, index.extensions, index.is_junk, target)]
    assert got == ["pkg/B.PY", "pkg/.py", "lib/x.so", "LICENSE", ".json"]


def test_a_name_with_nul_does_not_hide_another() -> None:
    # "a.py NUL b.py" ends in ".py NUL" twice in a NUL-joined string: counted, it would cover B.PY
    files = [BundleFile("a.py\0b.py", 100), BundleFile("B.PY", 100)]
    target = Target(runtime="python_3_13", mode="bundled")
    index = Index(Bundle("folder", Path("agent"), files, 0), target, 1)
    assert [f.path for f in candidates(index.files, index.extensions, index.is_junk, target)] == ["B.PY"]
