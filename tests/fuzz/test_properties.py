"""The fuzz properties: check on raw zips and on folders, explain on log text."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings

from tests.fuzz import PROFILE
from tests.fuzz.folders import folders, write
from tests.fuzz.logs import dotnet_log_text, log_text
from tests.fuzz.runner import invoke
from tests.fuzz.zips import raw_zips

AGENT = {"main.py": b"import yaml\n", "requirements.txt": b"pyyaml\n"}


@settings(settings.get_profile(PROFILE))
@given(raw_zips)
def test_check_any_zip(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "agent.zip"
        path.write_bytes(data)
        invoke("check", str(path), "--format", "json")
        invoke("explain", str(path), "--module", "yaml")


@settings(settings.get_profile(PROFILE))
@given(folders())
def test_check_any_folder(folder: tuple[dict[str, bytes], list[str]]) -> None:
    files, fifos = folder
    with tempfile.TemporaryDirectory() as tmp:
        root = write(Path(tmp) / "agent", files, fifos)
        invoke("check", str(root))


@settings(settings.get_profile(PROFILE))
@given(log_text)
def test_explain_any_log(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = write(Path(tmp) / "agent", AGENT, [])
        invoke("explain", str(root), "--log", "-", stdin=text)


@settings(settings.get_profile(PROFILE))
@given(dotnet_log_text)
def test_explain_any_dotnet_log(text: str) -> None:
    from tests.dotnetshapes import PUBLISH

    files = {k: v if isinstance(v, bytes) else v.encode() for k, v in PUBLISH.items()}
    with tempfile.TemporaryDirectory() as tmp:
        invoke("explain", str(write(Path(tmp) / "agent", files, [])), "--log", "-", stdin=text)
        invoke("explain", str(write(Path(tmp) / "python", AGENT, [])), "--log", "-", stdin=text)
