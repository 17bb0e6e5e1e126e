"""The distributions of an unchanged set of dist-info folders, remembered across runs.

Reading a bundle's distributions opens every dist-info file (415 of them for the real 72-distribution
bundle: METADATA, WHEEL, RECORD, top_level.txt, INSTALLER, direct_url.json) and parses each, on
every run of a pre-commit hook, although packages/ rarely changes between two commits. What was
read is kept as one sealed entry of the disk cache (namecache.DiskCache), keyed by every dist-info
member's path and size and what fixes its content: the CRC of a zip member, the st_mtime_ns of a
folder's file (the folder scan's own stat). A member added, removed or changed is another key, and
everything is read again. A Requires-Dist line is kept as written and read back through the memo of
packaging's answers (memo.py), so a hit imports no packaging either.
"""

import marshal

from agentzip.validator.distributions import Distribution
from agentzip.validator.memo import Memo, MemoRequirement

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from agentzip.validator.bundle import Bundle, BundleFile
    from agentzip.validator.namecache import DiskCache

SCHEMA = 1  # bump when Distribution or what the dist-info readers find changes meaning


def key(bundle: "Bundle", found: dict[str, dict[str, "BundleFile"]]) -> str | None:
    """The entry's name for these dist-info folders, or None when a member's content is not fixed by its stamp."""
    from agentzip.validator.namecache import blob_name

    listing: list[tuple[str, str, int, int]] = []
    for folder in sorted(found):
        for name, f in sorted(found[folder].items()):
            stamp = getattr(f, "crc", None) if bundle.archive is not None else f.mtime
            if stamp is None:
                return None
            listing.append((folder, name, f.size, stamp))
    return blob_name("distributions", SCHEMA, bundle.kind, listing)


def load(disk: "DiskCache", name: str, answers: Memo) -> list[Distribution] | None:
    """The distributions kept under `name`, or None (no entry, or not one this cache wrote)."""
    from agentzip.validator.namecache import _loads

    data = disk.read(name)
    if data is None:
        return None
    try:
        schema, rows = _loads(data)
        return [_unpack(row, answers) for row in rows] if schema == SCHEMA else None
    except (ValueError, EOFError, TypeError, IndexError, AttributeError):
        return None  # torn or foreign: read the dist-info folders again


def store(disk: "DiskCache", name: str, distributions: list[Distribution]) -> None:
    """Keep the distributions under `name` (not when a requirement is not one the memo read)."""
    from agentzip.validator.namecache import seal

    rows = []
    for d in distributions:
        if not all(isinstance(r, MemoRequirement) for r in d.requires_dist):
            return
        rows.append(_pack(d))
    disk.write(name, seal(marshal.dumps((SCHEMA, rows))))


def _pack(d: Distribution) -> tuple[object, ...]:
    lines = tuple(r.line for r in d.requires_dist if isinstance(r, MemoRequirement))
    return (
        d.location,
        d.path,
        d.name,
        d.display_name,
        d.version,
        lines,
        d.requires_python,
        tuple(sorted(tuple(t) for t in d.tags)),
        d.tag_text,
        d.record,
        d.has_record,
        d.top_level,
        d.installer,
        d.direct_url,
        d.editable,
        tuple(sorted(d.import_names)),
        d.problems,
    )


def _unpack(row: "Any", answers: Memo) -> Distribution:
    from agentzip.validator.wheeltags import Tag

    loc, path, name, display, version, lines, rp, tags, tag_text, record, has_record, top, inst, url, ed, imp, probs = (
        row
    )
    reqs = tuple(answers.requirement(line) for line in lines)
    kept = tuple(r for r in reqs if isinstance(r, MemoRequirement))
    if len(kept) != len(reqs):
        raise ValueError("a kept requirement line no longer reads")
    return Distribution(
        location=loc,
        path=path,
        name=name,
        display_name=display,
        version=version,
        requires_dist=kept,
        requires_python=rp,
        tags=frozenset(Tag(*t) for t in tags),
        tag_text=tag_text,
        record=record,
        has_record=has_record,
        top_level=top,
        installer=inst,
        direct_url=url,
        editable=ed,
        import_names=frozenset(imp),
        problems=probs,
    )
