"""Property: RECORD's paths read without csv are the paths csv reads, whenever the plain reader answers."""

from __future__ import annotations

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from agentzip.validator.distinfo import plain_record_paths, record_paths
from tests.fuzz import PROFILE

# Few distinct pieces, so commas, line ends, quotes and NULs meet often.
_pieces = st.sampled_from(["a/b.py", ",", ",sha256=x,12", "\r", "\n", "\r\n", '"', "\0", " ", "é", "\x0b", "\u2028"])


def _by_csv(text: str) -> tuple[str, ...] | str:
    try:
        return tuple(row[0] for row in csv.reader(io.StringIO(text)) if row and row[0])
    except csv.Error as e:
        return f"error: {e}"


@settings(settings.get_profile(PROFILE))
@given(st.lists(_pieces, max_size=20).map("".join))
def test_the_plain_reader_reads_as_csv_reads(text: str) -> None:
    plain = plain_record_paths(text)
    if plain is not None:
        assert plain == _by_csv(text)
    problems: list[str] = []
    got = record_paths(text.encode(), problems)
    expected = _by_csv(text)
    if isinstance(expected, str):  # csv's error, reported as before
        assert got == () and problems == [f"RECORD is not valid CSV ({expected.removeprefix('error: ')})"]
    else:
        assert got == expected and problems == []


def test_the_files_installers_write_take_the_plain_reader() -> None:
    uv = "six.py,sha256=abc,1000\nsix-1.17.0.dist-info/RECORD,,\n"
    pip = uv.replace("\n", "\r\n")
    for text in (uv, pip):
        assert plain_record_paths(text) == ("six.py", "six-1.17.0.dist-info/RECORD") == _by_csv(text)
    # a quoted path (a comma in a file name) is csv's to read
    assert plain_record_paths('"a,b.py",,\n') is None and record_paths(b'"a,b.py",,\n', []) == ("a,b.py",)
    # past csv's field limit the plain reader declines, so csv reports the line as before
    long = "x" * 200_000 + ",,\n"
    problems: list[str] = []
    assert plain_record_paths(long) is None and record_paths(long.encode(), problems) == () and problems
