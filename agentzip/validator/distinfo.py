"""The files of a `*.dist-info` folder, each read bounded: METADATA's headers, WHEEL's tags, RECORD's paths.

The formats are email headers (METADATA, WHEEL), CSV (RECORD) and JSON (direct_url.json); the files
every installer writes are read here without the email parser (25 ms to import) or json.
"""

import io
import re

from agentzip.errors import ArchiveError
from agentzip.records import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from packaging.version import Version

    from agentzip.validator.bundle import Bundle, BundleFile
    from agentzip.validator.memo import Memo, MemoRequirement
    from agentzip.validator.wheeltags import Tag

# Read limits: METADATA carries the long description (a few hundred KiB for some projects);
# RECORD of a large project (torch, ~20k files) is a few MiB.
METADATA_LIMIT = 1 << 20
RECORD_LIMIT = 16 << 20
SMALL_LIMIT = 64 << 10  # WHEEL, INSTALLER, top_level.txt, direct_url.json
# WHEEL's tags once expanded: a real wheel has a handful, a hostile 64 KiB of `a.b.c-...` lines 10^12.
TAG_LIMIT = 4096

_HEADERS_END = re.compile(rb"\n\r*\n")
_WANTED = frozenset({"name", "version", "requires-dist", "requires-python"})


class Reader:
    """Reads the members of one dist-info folder, each bounded, noting what cannot be read."""

    def __init__(self, bundle: "Bundle", members: dict[str, "BundleFile"]) -> None:
        self.bundle = bundle
        self.members = members
        self.problems: list[str] = []

    def read(self, member: str, limit: int) -> bytes | None:
        f = self.members.get(member)
        if f is None:
            return None
        try:
            return self.bundle.read(f, limit)
        except ArchiveError as e:
            self.problems.append(f"{member} cannot be read ({e})")
            return None

    def text_lines(self, member: str) -> list[str]:
        data = self.read(member, SMALL_LIMIT)
        return data.decode("utf-8", "replace").splitlines() if data is not None else []


def parse_version(text: str) -> "Version | None":
    """A PEP 440 version, or None when empty or invalid."""
    from packaging.version import InvalidVersion, Version

    try:
        return Version(text) if text else None
    except InvalidVersion:
        return None


def wheel_tags(data: bytes | None, problems: list[str]) -> tuple[frozenset["Tag"], tuple[str, ...]]:
    """Every tag of WHEEL's `Tag:` lines, expanded, and the lines as written."""
    if data is None:
        return frozenset(), ()
    from agentzip.validator.wheeltags import TooManyTags, parse_tag

    tags: set[Tag] = set()
    text: list[str] = []
    plain = wheel_tag_lines(data)
    if plain is None:
        # the email parser (25 ms to import) only for a WHEEL no installer writes
        from email.parser import BytesHeaderParser

        plain = [str(t) for t in BytesHeaderParser().parsebytes(data).get_all("Tag") or []]
    for t in plain:
        line = t.strip()
        text.append(line)
        try:
            tags.update(parse_tag(line, limit=TAG_LIMIT - len(tags)))
        except TooManyTags:
            problems.append(f"WHEEL has more than {TAG_LIMIT} tags; the rest are not read")
            break
        except ValueError:
            problems.append(f"WHEEL has an invalid tag {line!r}")
    return frozenset(tags), tuple(text)


# A header line as the email parser knows one (email.feedparser.headerRE, less its fold and
# "From " cases, which send a file to the parser itself).
_HEADER_LINE = re.compile(rb"[\x21-\x39\x3b-\x7e]+:")


def wheel_tag_lines(data: bytes) -> list[str] | None:
    """WHEEL's `Tag:` values as the email parser gives them, for the plain file every installer
    writes (ASCII, `\n` line ends, one line a header); None for anything else, which the email
    parser reads: 72 parsers cost 8 ms of a check."""
    if not data.isascii() or b"\r" in data:
        return None
    out: list[str] = []
    for line in data.split(b"\n"):
        if not line:
            return out
        if line.startswith(b"From ") or not _HEADER_LINE.match(line):
            return None
        key, _, value = line.partition(b":")
        if key.lower() == b"tag":
            out.append(value.decode("ascii").lstrip(" \t"))
    return out


def record_paths(data: bytes | None, problems: list[str]) -> tuple[str, ...]:
    """RECORD's paths (PEP 376: CSV rows of path, hash, size)."""
    if data is None:
        return ()
    text = data.decode("utf-8", errors="replace")
    plain = plain_record_paths(text)
    if plain is not None:
        return plain
    import csv  # a file with quotes, NULs or lone CRs: csv decides

    try:
        return tuple(row[0] for row in csv.reader(io.StringIO(text)) if row and row[0])
    except csv.Error as e:
        problems.append(f"RECORD is not valid CSV ({e})")
        return ()


_CSV_FIELD_LIMIT = 131072  # csv.field_size_limit()'s default: a longer field is csv's error to report


def plain_record_paths(text: str) -> tuple[str, ...] | None:
    """RECORD's paths as csv reads them, for the file installers write (no quote, no NUL, a CR only
    before a LF, no huge line): split at the first comma, without importing csv; None otherwise."""
    if '"' in text or "\0" in text or text.count("\r") != text.count("\r\n"):
        return None
    out: list[str] = []
    for line in text.split("\n"):
        if len(line) > _CSV_FIELD_LIMIT:
            return None
        path = line.partition(",")[0]
        if path.endswith("\r") and "," not in line:
            path = path[:-1]  # the CR of a CRLF line end, not part of a path
        if path:
            out.append(path)
    return tuple(out)


class Metadata(NamedTuple):
    """The METADATA fields a check reads."""

    name: str | None = None
    version: str | None = None
    requires_dist: tuple["MemoRequirement", ...] = ()
    requires_python: str | None = None  # packaging's spelling of a valid Requires-Python


NO_METADATA = Metadata()


def parse_metadata(data: bytes, problems: list[str], answers: "Memo | None" = None) -> Metadata:
    """Name, Version, Requires-Dist and Requires-Python of a METADATA file.

    Each field is validated on its own, as packaging reads it (its Requirement, Version and
    SpecifierSet, through the memo of its answers), so the good Requires-Dist lines stay when one
    of them is invalid.
    """
    from agentzip.validator.memo import memo

    answers = answers if answers is not None else memo()
    raw, unreadable_fields = metadata_headers(data)
    name, version = _single(raw, "name"), _single(raw, "version")
    if name is None:
        unreadable = " (it is not readable as UTF-8 email headers)" if unreadable_fields and not raw else ""
        problems.append("METADATA has no Name" + unreadable)
    if version is None:
        problems.append("METADATA has no Version")
    elif not answers.valid_version(version):
        problems.append(f"METADATA Version {version!r} is not a valid version (PEP 440)")
    requires_python = None
    rp = _single(raw, "requires-python")
    if rp:
        requires_python = answers.specifier(rp)
        if requires_python is None:
            problems.append(f"METADATA Requires-Python {rp!r} is invalid")
    return Metadata(name, version, _requires_dist(raw.get("requires-dist", []), problems, answers), requires_python)


def _requires_dist(lines: list[str], problems: list[str], answers: "Memo") -> tuple["MemoRequirement", ...]:
    """Each Requires-Dist line as packaging reads it; an invalid one is a problem, the others stay.

    A line repeated across the bundle's distributions (a fifth of the real bundle's 319 lines:
    `opentelemetry-instrumentation==0.66b1`) is one requirement, read once."""
    reqs: list[MemoRequirement] = []
    for line in lines:
        req = answers.requirement(line)
        if isinstance(req, str):
            problems.append(f"METADATA Requires-Dist {line!r} is invalid ({req})")
            continue
        reqs.append(req)
    return tuple(reqs)


def metadata_headers(data: bytes) -> tuple[dict[str, list[str]], bool]:
    """The METADATA fields we use (name, version, requires-dist, requires-python), lowercase keys.

    The core metadata format is email headers (RFC 822 style): `Key: value` lines, folded
    continuation lines starting with whitespace, and the header section ends at the first empty
    line (the long description follows). Only the header section is read, a line at a time; the
    second value is whether a wanted field was not valid UTF-8.
    """
    out: dict[str, list[str]] = {}
    unreadable = False
    key: str | None = None
    # Only the lines up to the first empty one are read: split no further (the long description
    # after it is most of the file, and a line made only of CRs is empty once they are stripped).
    cut = _HEADERS_END.search(data)
    for raw in (data[: cut.start() + 1] if cut else data).split(b"\n"):
        line = raw.rstrip(b"\r")
        if not line:
            break  # the end of the headers
        if line[:1] in (b" ", b"\t"):
            if key is not None:  # a folded line continues the previous value
                out[key][-1] += " " + line.strip().decode("utf-8", "replace")
            continue
        name, sep, value = line.partition(b":")
        key = name.strip().lower().decode("ascii", "replace")
        if not sep or key not in _WANTED:
            key = None
            if not sep:
                break  # not a header: the email parser starts the body here
            continue
        try:
            out.setdefault(key, []).append(value.strip().decode("utf-8"))
        except UnicodeDecodeError:
            unreadable, key = True, None
    return {k: [v.strip() for v in vs] for k, vs in out.items()}, unreadable


def _single(raw: dict[str, list[str]], key: str) -> str | None:
    """A field that may appear once: None when missing, empty or repeated (packaging leaves those unparsed)."""
    values = raw.get(key, [])
    return values[0] if len(values) == 1 and values[0] else None


def direct_url(data: bytes | None, problems: list[str]) -> tuple[str | None, bool]:
    """PEP 610 direct_url.json: (url, editable)."""
    if data is None:
        return None, False
    import json  # few installers write direct_url.json for a wheel from an index

    try:
        doc = json.loads(data)
    except ValueError:
        problems.append("direct_url.json is not valid JSON")
        return None, False
    if not isinstance(doc, dict):
        return None, False
    url = doc.get("url") if isinstance(doc.get("url"), str) else None
    dir_info = doc.get("dir_info")
    editable = isinstance(dir_info, dict) and dir_info.get("editable") is True
    return url, editable
