"""METADATA's header section is read up to its first empty line, whatever the long description after it holds."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from agentzip.validator.distributions import metadata_headers
from tests.fuzz import PROFILE

# Few distinct bytes, so line ends, CR runs, folds and separators meet often.
_bytes = st.lists(st.sampled_from([b"\n", b"\r", b" ", b":", b"Name", b"Version", b"Requires-Dist", b"x", b"\xff"]))


@settings(settings.get_profile(PROFILE))
@given(_bytes.map(b"".join), _bytes.map(b"".join))
def test_what_follows_the_first_empty_line_changes_nothing(head: bytes, body: bytes) -> None:
    for end in (b"\n\n", b"\n\r\n", b"\n\r\r\n"):
        assert metadata_headers(head + end + body) == metadata_headers(head + end)


def test_a_long_description_is_not_read_as_headers() -> None:
    data = b"Name: a\r\nVersion: 1\r\n\r\nRequires-Dist: b\n" + b"text\n" * 1000
    assert metadata_headers(data) == ({"name": ["a"], "version": ["1"]}, False)
