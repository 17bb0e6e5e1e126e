"""Reading a dist-info quickly, and as before: METADATA's headers up to the first empty line, RECORD paths as bundle paths."""

from __future__ import annotations

import posixpath

from hypothesis import given, settings
from hypothesis import strategies as st

from agentzip.validator.distributions import Distribution, metadata_headers
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


def _reference_site_path(d: Distribution, record_path: str) -> str | None:
    """site_path as it was written first: normpath on every path."""
    if record_path.startswith("/") or ":" in record_path.split("/", 1)[0]:
        return None
    norm = posixpath.normpath(record_path)
    if norm == ".." or norm.startswith("../"):
        return None
    return f"{d.site}/{norm}" if d.site else norm


@settings(settings.get_profile(PROFILE))
@given(st.lists(st.sampled_from(["a", ".", "..", "/", ":", "\\", "b.py", ".x"]), max_size=10).map("".join))
def test_site_path_skips_normpath_only_where_it_changes_nothing(record_path: str) -> None:
    for location in ("packages", "root"):
        d = Distribution(location, f"{location}/x-1.dist-info", "x", "x", "1", record=(record_path,))
        assert d.site_path(record_path) == _reference_site_path(d, record_path)
        assert d.site_paths == (_reference_site_path(d, record_path),)


_wheel_lines = st.lists(
    st.sampled_from(
        [
            *(b"Tag: py3-none-any", b"tag:cp313-cp313-manylinux_2_17_x86_64", b"TAG :x", b"Wheel-Version: 1.0"),
            *(b" fold", b"From x", b"no colon", b"Tag:\x1f", b"Tag: a\rb", b"", b"\xff", b"Tag: \t y \x0b"),
        ]
    ),
    max_size=8,
)


@settings(settings.get_profile(PROFILE))
@given(_wheel_lines.map(b"\n".join))
def test_wheel_tags_read_as_the_email_parser_reads_them(data: bytes) -> None:
    from email.parser import BytesHeaderParser

    from agentzip.validator.distributions import wheel_tag_lines

    mine = wheel_tag_lines(data)
    if mine is not None:
        theirs = BytesHeaderParser().parsebytes(data).get_all("Tag") or []
        assert [t.strip() for t in mine] == [str(t).strip() for t in theirs]


def test_an_installer_written_wheel_file_takes_the_plain_path() -> None:
    from agentzip.validator.distributions import wheel_tag_lines

    data = (
        b"Wheel-Version: 1.0\nGenerator: bdist_wheel (0.45.1)\nRoot-Is-Purelib: false\nTag: cp313-cp313-linux_x86_64\n"
    )
    assert wheel_tag_lines(data) == ["cp313-cp313-linux_x86_64"]
