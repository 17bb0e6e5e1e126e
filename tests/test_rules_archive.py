"""Archive rules: a clean bundle that must not fire, and hostile zips (fixtures.hostile) that must."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from agentzip.api import check
from agentzip.validator.findings import Severity
from fixtures import hostile as H
from tests.conftest import codes

GOOD = {"main.py": "print('hi')\n", "requirements.txt": "requests==2.32.3\n", "lib/util.py": "X = 1\n"}
RULES = [
    "corrupt-archive",
    "unsafe-path",
    "backslash-path",
    "duplicate-entry",
    "case-collision",
    "symlink-entry",
    "encrypted-entry",
    "unsupported-compression",
    "overlapping-entries",
    "archive-differential",
    "non-utf8-name",
]


def _zip(tmp_path: Path, data: bytes) -> Path:
    p = tmp_path / "agent.zip"
    p.write_bytes(data)
    return p


@pytest.mark.parametrize("rule", RULES)
def test_clean_bundle_does_not_fire(make_bundle, rule: str) -> None:  # type: ignore[no-untyped-def]
    report = check(make_bundle(GOOD), select=[rule])
    assert rule not in codes(report), report.findings


BAD: list[tuple[str, Callable[[], bytes], int, str]] = [
    # (rule, zip maker, number of findings, fragment of the first message)
    ("corrupt-archive", H.empty_file, 1, "empty file"),
    ("corrupt-archive", H.text_renamed, 1, "not a zip archive"),
    ("corrupt-archive", H.cut_short, 1, "truncated"),
    ("corrupt-archive", H.truncated_directory, 1, "runs past the end"),
    ("unsafe-path", H.traversal_names, 2, "unsafe entry name"),
    ("unsafe-path", lambda: H.zip_bytes({"C:/agent/main.py": "x\n"}), 1, "a drive letter (C:)"),
    ("unsafe-path", lambda: H.zip_bytes({"main.py\x00.txt": "x\n"}), 1, "control characters (U+0000)"),
    ("unsafe-path", lambda: H.zip_bytes({"..\\..\\x.py": "x\n"}), 1, "`..` component"),
    ("unsafe-path", lambda: H.zip_bytes({"main.py": "x\n", "\\abs.py": "x\n"}), 1, "an absolute path"),
    ("backslash-path", H.backslash_names, 1, "2 entries use `\\` as the folder separator"),
    ("duplicate-entry", H.duplicate_names, 1, "stored 2 times (entries 0, 2)"),
    ("case-collision", lambda: H.zip_bytes({"main.py": "a\n", "Main.py": "b\n"}), 1, "`Main.py`, `main.py`"),
    ("symlink-entry", H.symlink_entry, 1, "symbolic link (mode 0o120777) pointing at `/etc/passwd`"),
    ("encrypted-entry", H.encrypted, 1, "encrypted (PKWARE traditional)"),
    ("unsupported-compression", H.deflate64, 1, "compressed with Deflate64 (method 9)"),
    ("overlapping-entries", H.fifield_bomb, 21, "shares bytes"),
    ("archive-differential", H.sfx_prepended, 1, "512 bytes of data before the archive"),
    ("archive-differential", H.trailing_data, 1, "after the end record's comment"),
    ("archive-differential", H.lying_counts, 1, "claims 7 entries"),
    ("archive-differential", H.local_name_differs, 1, "name 'evil.py'"),
    ("archive-differential", H.unicode_path_differs, 1, "Unicode Path"),
    ("non-utf8-name", H.cp437_name, 1, "not UTF-8 and not marked"),
    ("non-utf8-name", H.utf8_unflagged_name, 1, "extracts `caf├⌐.py`"),
    ("non-utf8-name", H.invalid_utf8_flagged, 1, "refuses the whole archive"),
]


@pytest.mark.parametrize(("rule", "make", "count", "fragment"), BAD, ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD)])
def test_hostile_zip_fires(tmp_path: Path, rule: str, make: Callable[[], bytes], count: int, fragment: str) -> None:
    report = check(_zip(tmp_path, make()), select=[rule])
    found = [f for f in report.findings if f.rule == rule]
    assert len(found) == count, report.findings
    assert any(fragment in f.message for f in found), [f.message for f in found]
    assert all(f.hint for f in found)


def test_case_collision_in_a_folder(tmp_path: Path) -> None:
    from tests.conftest import write_folder

    root = write_folder(tmp_path / "agent", {"main.py": "a\n", "Main.py": "b\n", "requirements.txt": ""})
    (f,) = check(root, select=["case-collision"]).findings
    assert f.severity is Severity.WARNING and f.paths == ("Main.py", "main.py")


def test_severities(tmp_path: Path) -> None:
    unflagged = check(_zip(tmp_path, H.utf8_unflagged_name()), select=["non-utf8-name"]).findings
    assert [f.severity for f in unflagged] == [Severity.WARNING]
    invalid = check(_zip(tmp_path, H.invalid_utf8_flagged()), select=["non-utf8-name"]).findings
    assert [f.severity for f in invalid] == [Severity.ERROR]


def test_hints_name_the_command(tmp_path: Path) -> None:
    (sfx,) = check(_zip(tmp_path, H.sfx_prepended()), select=["archive-differential"]).findings
    assert sfx.hint.startswith("strip the prepended data: zip -J")
    (d64,) = check(_zip(tmp_path, H.deflate64()), select=["unsupported-compression"]).findings
    assert "Windows Explorer" in d64.message and "tar -a -c -f agent-code.zip *" in d64.hint
    assert d64.paths == ("big.bin",)
    (bs,) = check(_zip(tmp_path, H.backslash_names()), select=["backslash-path"]).findings
    assert (
        "`lib\\util.py` extracts as one file with backslashes in its name, at the root, not as `util.py` inside `lib/`"
        in bs.message
        and set(bs.paths) == {"lib\\util.py", "lib\\"}
    )


def test_control_characters_never_reach_the_report(tmp_path: Path) -> None:
    (f,) = check(_zip(tmp_path, H.zip_bytes({"evil\x1b[2J.py": "x\n"})), select=["unsafe-path"]).findings
    assert f.path == "evil\\x1b[2J.py"


@pytest.mark.parametrize("name", sorted(H.ALL))
def test_no_archive_rule_crashes(tmp_path: Path, name: str) -> None:
    report = check(_zip(tmp_path, H.ALL[name]()), select=["AZ0"])
    assert not [f for f in report.findings if f.message.startswith("internal error")]
    if name == "good":
        assert report.findings == ()


def test_overlapping_sources_are_read_at_most_once(tmp_path: Path) -> None:
    # 32 entries sharing one deflated 1 MiB expression (2.7 KB on disk): once 29 s, every rule
    # parsing every alias; overlapping entries now stay unread, so the whole check is quick
    data = H.shared_kernel_sources()
    assert len(data) < 3000
    t = time.process_time()
    report = check(_zip(tmp_path, data))
    assert time.process_time() - t < 2.0
    assert "overlapping-entries" in codes(report)
    assert not [f for f in report.findings if f.message.startswith("internal error")]


def test_more_entries_than_the_cap_is_a_limit_not_corruption(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from agentzip.validator.zip import reader

    monkeypatch.setattr(reader, "MAX_ENTRIES", 100)
    (f,) = check(_zip(tmp_path, H.many_entries(150)), select=["corrupt-archive"]).findings
    assert f.message == (
        "its end record counts 150 entries, more than the 100 this check reads: only the first 100 were checked"
    )
    assert "rebuild" not in f.hint and "caches" in f.hint
