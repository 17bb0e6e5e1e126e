"""Shared test helpers: bundles declared as data (path -> bytes), made as a zip and as a folder."""

from __future__ import annotations

import io
import os
import sys
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # `fixtures` is a top-level folder of recipes, not installed

Files = Mapping[str, "bytes | str"]


def zip_of(files: Files) -> bytes:
    """A plain, flat zip of the files (deflate, fixed timestamps)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (0o40755 if name.endswith("/") else 0o100644) << 16
            zf.writestr(info, data.encode() if isinstance(data, str) else data)
    return buf.getvalue()


def write_folder(root: Path, files: Files) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        p = root / name
        if name.endswith("/"):
            p.mkdir(parents=True, exist_ok=True)
            continue
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data.encode() if isinstance(data, str) else data)
    return root


@pytest.fixture(params=["zip", "folder"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_bundle(tmp_path: Path, kind: str) -> Callable[[Files], Path]:
    """Turn a {path: bytes} table into the bundle kind under test (a zip, or a folder)."""
    counter = iter(range(1_000_000))

    def make(files: Files) -> Path:
        n = next(counter)
        if kind == "zip":
            p = tmp_path / f"bundle{n}.zip"
            p.write_bytes(zip_of(files))
            return p
        return write_folder(tmp_path / f"bundle{n}", files)

    return make


def codes(report: object) -> list[str]:
    return [f.rule for f in report.findings]  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("AGENTZIP_NO_CACHE", "1")  # tests neither read nor fill the user's cache
    os.environ.pop("SOURCE_DATE_EPOCH", None)
