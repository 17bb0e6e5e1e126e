"""Size rules: measured zip size against the limit, largest contributors named."""

from __future__ import annotations

import os

import pytest

from agentzip.api import check
from tests.conftest import codes

GOOD = {"main.py": "x = 1\n", "requirements.txt": ""}


def _noise(n: int, seed: int = 0) -> bytes:
    import random

    return random.Random(seed).randbytes(n)


@pytest.mark.parametrize(
    ("payload", "limit", "fires"),
    [
        (b"a" * 200_000, 100_000, False),  # compresses far below the limit: measured, not guessed
        (None, 100_000, True),  # 200 kB of noise cannot compress under 100 kB
        (None, 10_000_000, False),
    ],
)
def test_zip_too_large(make_bundle, payload, limit, fires) -> None:  # type: ignore[no-untyped-def]
    data = payload if payload is not None else _noise(200_000)
    report = check(make_bundle({**GOOD, "packages/big/blob.bin": data}), select=["AZ5"], size_limit=limit)
    assert ("zip-too-large" in codes(report)) is fires, report.findings
    if fires:
        (f,) = report.findings
        assert "packages/big" in f.message


def test_near_limit_warns(make_bundle) -> None:  # type: ignore[no-untyped-def]
    report = check(make_bundle({**GOOD, "data.bin": _noise(95_000)}), select=["AZ5"], size_limit=100_000)
    assert codes(report) == ["zip-near-limit"]


@pytest.mark.skipif(os.environ.get("AGENTZIP_SLOW") != "1", reason="writes 260 MB; AGENTZIP_SLOW=1 runs it")
def test_real_limit_260_mb(make_bundle) -> None:  # type: ignore[no-untyped-def]
    report = check(make_bundle({**GOOD, "model/weights.bin": _noise(260 * 1024 * 1024)}), select=["AZ5"])
    (f,) = report.findings
    assert f.rule == "zip-too-large" and "model/ " in f.message
