"""Properties of `fix` and of the index pages build reads: any input, a clear answer, never a traceback."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fuzz import PROFILE
from tests.fuzz.runner import invoke
from tests.fuzz.zips import raw_zips

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)
_NAMES = ["x-1.0-py3-none-any.whl", "x-1.0.tar.gz", "x-1-cp314-cp314-win_amd64.whl", "x.whl"]
_files = st.lists(
    st.fixed_dictionaries({"filename": st.sampled_from(_NAMES) | _json}, optional={"yanked": _json}) | _json,
    max_size=6,
)
pages = st.one_of(
    st.binary(max_size=200),
    _json.map(lambda v: json.dumps(v).encode()),
    st.builds(lambda files: json.dumps({"files": files}).encode(), _files),
)


@settings(settings.get_profile(PROFILE))
@given(raw_zips)
def test_fix_any_zip(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "agent.zip"
        path.write_bytes(data)
        invoke("fix", str(path), "--dry-run")
        # remote_build: nothing to install, so no installer (or network) is ever reached
        invoke("fix", str(path), "-o", str(Path(tmp) / "out.zip"), "--mode", "remote_build")


@settings(settings.get_profile(PROFILE))
@given(pages)
def test_any_index_page_is_a_project_or_no_answer(body: bytes) -> None:
    from agentzip.builder.available import advice, parse_project

    try:
        project = parse_project("x", "https://pypi.org/simple", body)
    except ValueError:
        return
    advice(project, "1.0", (3, 14), (2, 17))
