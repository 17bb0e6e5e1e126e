"""The secret scan's markers never hide a match: the lazy scan finds what every pattern would."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from agentzip.rules.secrets import SECRET_SHAPES, find_secret

# Pieces of every shape (and near misses), glued with noise, so matches and misses are both common.
_PIECES = [
    b"-----BEGIN RSA PRIVATE KEY-----",
    b"-----BEGIN PRIVATE KEY BLOCK-----",
    b"-----BEGIN CERTIFICATE-----",
    b"AKIA" + b"ABCDEFGHIJKLMNOP",
    b"ASIA" + b"Q" * 16,
    b"ghp_" + b"a" * 36,
    b"github_pat_" + b"b" * 60,
    b"sk-" + b"c" * 20 + b"T3BlbkFJ" + b"d" * 20,
    b"sk-proj-" + b"e" * 40,
    b"sk-ant-api03-" + b"f" * 80,
    b"AccountKey=" + b"g" * 86 + b"==",
    b"SharedAccessKey=" + b"h" * 43 + b"=",
    b"xoxb-" + b"1" * 10,
    b"AIza" + b"i" * 35,
    b"sk_live_" + b"j" * 24,
    b"rk_live_" + b"k" * 24,
    b"sk-",
    b"gh",
    b"AIza",
    b"xox",
]


def eager(data: bytes) -> tuple[str, int, bytes] | None:
    """Every pattern compiled and run in order, as the scan did before markers."""
    for label, _, pattern in SECRET_SHAPES:
        m = re.compile(pattern).search(data)
        if m:
            return label, m.start(), m.group(0)
    return None


@given(st.lists(st.one_of(st.sampled_from(_PIECES), st.binary(max_size=12)), max_size=8))
def test_markers_find_what_every_pattern_finds(parts: list[bytes]) -> None:
    data = b" ".join(parts)
    found = find_secret(data)
    assert (None if found is None else (found[0], found[1].start(), found[1].group(0))) == eager(data)


def test_every_shape_contains_one_of_its_markers() -> None:
    # a marker must be literal text of every match: a shape's own examples above carry one
    for label, markers, pattern in SECRET_SHAPES:
        examples = [p for p in _PIECES if re.search(pattern, p)]
        assert examples, label
        for example in examples:
            assert any(m in re.search(pattern, example).group(0) for m in markers), label  # type: ignore[union-attr]
