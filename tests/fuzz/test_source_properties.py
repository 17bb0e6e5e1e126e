"""Property: any source explain follows at load (constants, raising branches, sys.path edits) is read or
reported as unreadable, never a crash, and the run over it ends with an outcome."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from agentzip.validator.finder import Finder
from agentzip.validator.importparse import read_imports
from agentzip.validator.importrun import ImportRun
from tests.fuzz import PROFILE

_LINES = [
    "import os, sys",
    "import pkg.b",
    "from . import b",
    "from pkg import _core",
    "FLAG = False",
    "FLAG = 1",
    "if FLAG:",
    "if not getattr(pkg, 'x', False):",
    "else:",
    "try:",
    "except ImportError as e:",
    "except NameError:",
    "    raise ImportError('no') from e",
    "    raise",
    "    pass",
    "    FLAG",
    "    import pkg.missing",
    "    from pkg._core import *",
    "def f():\n    global FLAG\n    FLAG = 2",
    "class C:\n    import pkg.b",
    "sys.path.append(os.path.join(os.path.dirname(__file__), '..', 'vendor'))",
    "sys.path.extend(((v := os.path.join(os.path.dirname(os.path.dirname(__file__)), 'x')) not in sys.path) * [v])",
    "sys.path.insert(0, str(Path(__file__).parent / 'lib' / os.environ['X']))",
    "sys.meta_path.append(object())",
    "__import__('pkg_resources').declare_namespace(__name__)",
    "import distutils.core",
]
_sources = st.lists(st.sampled_from(_LINES), max_size=14).map(lambda ls: "\n".join(ls).encode())
_bytes = st.one_of(_sources, st.binary(max_size=300))


@settings(settings.get_profile(PROFILE))
@given(_bytes, _bytes)
def test_any_source_is_followed_to_an_outcome(init: bytes, b: bytes) -> None:
    parsed = read_imports(init, "pkg/__init__.py", "pkg/__init__.py", (3, 13))
    assert parsed.problem is not None or all(isinstance(e[1], str) for e in parsed.path_edits)
    files = {
        "pkg/__init__.py": init,
        "pkg/b.py": b,
        "pkg/_core.cpython-312-x86_64-linux-gnu.so": b"",
        "vendor/v.py": b"",
    }
    run = ImportRun(
        Finder(files, {"pkg", "vendor"}, "", (3, 13)), files.get, {"pkg/_core.cpython-312-x86_64-linux-gnu.so": "old"}
    )
    out = run.run("pkg.b")
    assert out.ok or out.raises is not None or out.unknown is not None
