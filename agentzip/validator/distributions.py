"""Installed distributions of a bundle: every `*.dist-info` in `packages/` or at the root, parsed."""

from __future__ import annotations

import csv
import io
import json
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from functools import cached_property
from typing import TYPE_CHECKING

from packaging.version import InvalidVersion, Version

from agentzip.errors import ArchiveError
from agentzip.foundry import PACKAGES
from agentzip.validator.projectname import canonicalize_name

if TYPE_CHECKING:
    # loaded where METADATA and WHEEL are parsed: packaging.tags alone pulls in logging and subprocess
    from packaging.requirements import Requirement
    from packaging.specifiers import SpecifierSet
    from packaging.tags import Tag

    from agentzip.validator.bundle import Bundle, BundleFile

# Read limits: METADATA carries the long description (a few hundred KiB for some projects);
# RECORD of a large project (torch, ~20k files) is a few MiB.
METADATA_LIMIT = 1 << 20
RECORD_LIMIT = 16 << 20
SMALL_LIMIT = 64 << 10  # WHEEL, INSTALLER, top_level.txt, direct_url.json

# `_cffi_backend.cpython-313-x86_64-linux-gnu.so`, `six.py`, `_foo.abi3.so`, `bar.pyd`: the
# import name is everything before the first dot.
_MODULE_FILE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?:\.[^./]+)*\.(?:py|pyc|so|pyd)$")
_METADATA_DIRS = (".dist-info", ".data", ".egg-info")
# Install-scheme folders an installer writes beside the modules with --target (uv records
# `bin/x`, pip `../../bin/x`): console scripts and data files, never importable.
_HEADERS_END = re.compile(rb"\n\r*\n")
_WANTED = frozenset({"name", "version", "requires-dist", "requires-python"})
SCHEME_DIRS = frozenset({"bin", "Scripts", "share", "include", "etc"})


@dataclass(frozen=True)
class Distribution:
    """One installed distribution, as its `*.dist-info` folder describes it."""

    location: str  # "packages" or "root"
    path: str  # the dist-info folder, e.g. "packages/requests-2.32.3.dist-info"
    name: str  # canonical (PEP 503); from METADATA, else from the folder name
    display_name: str  # as METADATA spells it
    version: str  # as METADATA writes it ("" when unknown)
    requires_dist: tuple[Requirement, ...] = ()
    requires_python: SpecifierSet | None = None
    tags: frozenset[Tag] = frozenset()  # every Tag: line of WHEEL, expanded
    tag_text: tuple[str, ...] = ()  # the Tag: lines as written, for messages
    record: tuple[str, ...] = ()  # RECORD paths, relative to the site folder
    has_record: bool = False
    top_level: tuple[str, ...] = ()
    installer: str | None = None
    direct_url: str | None = None  # direct_url.json's url (PEP 610)
    editable: bool = False  # direct_url.json dir_info.editable
    import_names: frozenset[str] = frozenset()
    problems: tuple[str, ...] = ()  # unreadable or invalid metadata, for dist-info-broken

    @property
    def site(self) -> str:
        """The folder the distribution is installed into: "packages" or "" (the root)."""
        return PACKAGES if self.location == PACKAGES else ""

    @cached_property
    def parsed_version(self) -> Version | None:
        """The version, parsed once: the dependency check asks for it per requirement naming it."""
        try:
            return Version(self.version) if self.version else None
        except InvalidVersion:
            return None

    def site_path(self, record_path: str) -> str | None:
        """A RECORD path as a bundle path; None for paths outside the site (`../../bin/x`).

        RECORD paths are relative to the folder holding the dist-info (PEP 376, PEP 627)."""
        p = record_path
        if p.startswith("/") or ":" in p.partition("/")[0]:
            return None
        # Without an empty, `.` or `..` part normpath changes nothing: most RECORD paths skip it.
        if not p or p.startswith(".") or p.endswith("/") or "//" in p or "/." in p:
            p = posixpath.normpath(p)
            if p == ".." or p.startswith("../"):
                return None
        site = self.site
        return f"{site}/{p}" if site else p

    @cached_property
    def site_paths(self) -> tuple[str | None, ...]:
        """site_path() of every RECORD path, in RECORD order (worked out once: several rules walk them)."""
        return tuple(map(self.site_path, self.record))


def find_dist_infos(bundle: Bundle) -> dict[str, dict[str, BundleFile]]:
    """dist-info folder -> {member name: file}, for `packages/*.dist-info` and `*.dist-info`."""
    found: dict[str, dict[str, BundleFile]] = {}
    for f in bundle.files:
        if ".dist-info" not in f.path:
            continue  # most entries: one substring test instead of a split
        parts = f.path.split("/")
        depth = 1 if parts[0] == PACKAGES else 0
        if len(parts) <= depth or not parts[depth].endswith(".dist-info"):
            continue
        folder = "/".join(parts[: depth + 1])
        members = found.setdefault(folder, {})
        if len(parts) == depth + 2 and not f.is_dir:
            members[parts[-1]] = f
    return found


def load_distributions(bundle: Bundle) -> list[Distribution]:
    """Every distribution of the bundle, packages/ first, in path order; never raises."""
    out = [_load(bundle, folder, members) for folder, members in find_dist_infos(bundle).items()]
    return sorted(out, key=lambda d: (d.location != PACKAGES, d.path))


def site_of(distributions: Iterable[Distribution]) -> str | None:
    """Where the dependencies were installed: "packages", "root", or None when nowhere."""
    locations = {d.location for d in distributions}
    if PACKAGES in locations:
        return PACKAGES
    return "root" if locations else None


class _Reader:
    """Reads the members of one dist-info folder, each bounded, noting what cannot be read."""

    def __init__(self, bundle: Bundle, members: dict[str, BundleFile]) -> None:
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


def _load(bundle: Bundle, folder: str, members: dict[str, BundleFile]) -> Distribution:
    r = _Reader(bundle, members)
    stem = folder.rsplit("/", 1)[-1][: -len(".dist-info")]
    # PEP 427 / recording-installed-packages: `{name}-{version}.dist-info`, the name escaped.
    dir_name, _, dir_version = stem.partition("-")
    meta = _Metadata()
    data = r.read("METADATA", METADATA_LIMIT)
    if data is not None:
        meta = _parse_metadata(data, r.problems)
    elif "METADATA" not in members:
        r.problems.append("no METADATA file")
    display_name = meta.name or dir_name
    tags, tag_text = _wheel_tags(r.read("WHEEL", SMALL_LIMIT), r.problems)
    record = _record(r.read("RECORD", RECORD_LIMIT), r.problems)
    top_level = [ln.strip().split("/")[0] for ln in r.text_lines("top_level.txt") if ln.strip()]
    installer = "\n".join(r.text_lines("INSTALLER")).strip() or None
    direct_url, editable = _direct_url(r.read("direct_url.json", SMALL_LIMIT), r.problems)
    return Distribution(
        location=PACKAGES if folder.startswith(PACKAGES + "/") else "root",
        path=folder,
        name=canonicalize_name(display_name),
        display_name=display_name,
        version=meta.version or dir_version,
        requires_dist=meta.requires_dist,
        requires_python=meta.requires_python,
        tags=tags,
        tag_text=tag_text,
        record=record,
        has_record="RECORD" in members,
        top_level=tuple(top_level),
        installer=installer,
        direct_url=direct_url,
        editable=editable,
        import_names=frozenset(n for n in top_level if n.isidentifier()) or _modules_from_record(record),
        problems=tuple(r.problems),
    )


def _wheel_tags(data: bytes | None, problems: list[str]) -> tuple[frozenset[Tag], tuple[str, ...]]:
    """Every tag of WHEEL's `Tag:` lines, expanded, and the lines as written."""
    if data is None:
        return frozenset(), ()
    from packaging.tags import parse_tag

    tags: set[Tag] = set()
    text: list[str] = []
    plain = wheel_tag_lines(data)
    for t in plain if plain is not None else BytesHeaderParser().parsebytes(data).get_all("Tag") or []:
        line = str(t).strip()
        text.append(line)
        try:
            tags.update(parse_tag(line))
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


def _record(data: bytes | None, problems: list[str]) -> tuple[str, ...]:
    """RECORD's paths (PEP 376: CSV rows of path, hash, size)."""
    if data is None:
        return ()
    try:
        return tuple(
            row[0] for row in csv.reader(io.StringIO(data.decode("utf-8", errors="replace"))) if row and row[0]
        )
    except csv.Error as e:
        problems.append(f"RECORD is not valid CSV ({e})")
        return ()


@dataclass
class _Metadata:
    name: str | None = None
    version: str | None = None
    requires_dist: tuple[Requirement, ...] = ()
    requires_python: SpecifierSet | None = None


def _parse_metadata(data: bytes, problems: list[str]) -> _Metadata:
    """Name, Version, Requires-Dist and Requires-Python of a METADATA file.

    Each field is validated on its own (packaging's Requirement, Version, SpecifierSet), so the
    good Requires-Dist lines stay when one of them is invalid.
    """
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    raw, unreadable_fields = metadata_headers(data)
    out = _Metadata(name=_single(raw, "name"), version=_single(raw, "version"))
    if out.name is None:
        unreadable = " (it is not readable as UTF-8 email headers)" if unreadable_fields and not raw else ""
        problems.append("METADATA has no Name" + unreadable)
    if out.version is None:
        problems.append("METADATA has no Version")
    else:
        try:
            Version(out.version)
        except InvalidVersion:
            problems.append(f"METADATA Version {out.version!r} is not a valid version (PEP 440)")
    reqs: list[Requirement] = []
    for line in raw.get("requires-dist", []):
        try:
            reqs.append(Requirement(line))
        except InvalidRequirement as e:
            problems.append(f"METADATA Requires-Dist {line!r} is invalid ({e})")
    out.requires_dist = tuple(reqs)
    rp = _single(raw, "requires-python")
    if rp:
        try:
            out.requires_python = SpecifierSet(rp)
        except InvalidSpecifier:
            problems.append(f"METADATA Requires-Python {rp!r} is invalid")
    return out


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


def _direct_url(data: bytes | None, problems: list[str]) -> tuple[str | None, bool]:
    """PEP 610 direct_url.json: (url, editable)."""
    if data is None:
        return None, False
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


def _modules_from_record(record: Iterable[str]) -> frozenset[str]:
    """Top-level packages and modules a distribution installed, derived from its RECORD."""
    names: set[str] = set()
    for path in record:
        if path.startswith(("/", "..")) or "\\" in path:
            continue
        first, sep, _ = path.partition("/")
        if sep:
            if first.isidentifier() and first != "__pycache__" and first not in SCHEME_DIRS:
                names.add(first)
            continue
        m = _MODULE_FILE.match(first)
        if m and not first.endswith(_METADATA_DIRS):
            names.add(m.group(1))
    return frozenset(names)
