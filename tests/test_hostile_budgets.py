"""Budgets on big inputs: a wheel bomb in a folder and a sparse 2 GiB file end in well under 2 s."""

from __future__ import annotations

import io
import time
import zipfile
import zlib
from pathlib import Path

from agentzip.validator.bundle import Bundle
from agentzip.validator.sizes import SAMPLE_OVER, deflated_size, measure
from agentzip.validator.target import Target
from agentzip.validator.wheelfiles import find_raw_wheels
from tests.conftest import write_folder

METADATA = b"Metadata-Version: 2.1\nName: bomb\nVersion: 1.0\nRequires-Python: >=3.9\nRequires-Dist: requests>=2\n"


def _wheel(inflated: int, members: int = 4) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("bomb/__init__.py", "")
        z.writestr("bomb/_native.cpython-313-x86_64-linux-gnu.so", b"")
        z.writestr("bomb-1.0.dist-info/METADATA", METADATA)
        z.writestr("bomb-1.0.dist-info/WHEEL", b"Wheel-Version: 1.0\nTag: py3-none-any\n")
        for i in range(members):
            z.writestr(f"bomb/zeros{i}.bin", bytes(inflated // members))
    return buf.getvalue()


def test_a_wheel_bomb_in_a_folder_is_described_without_inflating_it(tmp_path: Path) -> None:
    root = write_folder(tmp_path / "agent", {"main.py": "", "bomb-1.0-py3-none-any.whl": _wheel(256 << 20)})
    bundle = Bundle.open(root)
    start = time.monotonic()
    (wheel,) = find_raw_wheels(bundle, bundle.files, Target())
    assert time.monotonic() - start < 1.0
    assert wheel.modules == ("bomb", "bomb._native")
    assert wheel.requires_python == ">=3.9" and wheel.dependencies == ("requests",)
    assert wheel.problem is None


def test_a_wheel_that_is_not_a_zip_is_unreadable_not_a_crash(tmp_path: Path) -> None:
    root = write_folder(tmp_path / "agent", {"main.py": "", "x-1.0-py3-none-any.whl": b"PK\x05\x06" + b"\0" * 30})
    bundle = Bundle.open(root)
    (wheel,) = find_raw_wheels(bundle, bundle.files, Target())
    assert wheel.problem and "unreadable" in wheel.problem


def test_a_sparse_2_gib_file_is_sized_from_samples(tmp_path: Path) -> None:
    root = write_folder(tmp_path / "agent", {"main.py": ""})
    with open(root / "big.so", "wb") as fh:
        fh.truncate(2 << 30)
        fh.seek(1 << 30)
        fh.write(b"\x7fELF" * 1024)
    bundle = Bundle.open(root)
    start = time.monotonic()
    size = measure(bundle, bundle.files, 250 << 20, compress=True)
    assert time.monotonic() - start < 2.0
    assert 0 < size.total < 20 << 20  # 2 GiB of zeros deflate about 1000:1


def test_sampling_is_close_to_real_compression(tmp_path: Path) -> None:
    import random

    rng = random.Random(7)
    words = [bytes(rng.choice(b"abcdefghij") for _ in range(rng.randint(2, 9))) for _ in range(500)]
    text = b" ".join(rng.choice(words) for _ in range((SAMPLE_OVER + (8 << 20)) // 6))
    root = write_folder(tmp_path / "agent", {"big.txt": text})
    bundle = Bundle.open(root)
    (f,) = bundle.files
    comp = zlib.compressobj(6, zlib.DEFLATED, -15)
    real = len(comp.compress(text)) + len(comp.flush())
    estimate = deflated_size(bundle, f)
    assert abs(estimate - real) / real < 0.1, (estimate, real)
