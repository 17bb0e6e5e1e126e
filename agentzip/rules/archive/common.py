"""What the archive rules share: the reader's anomalies as hits, names safe to print, capped lists."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from agentzip.validator.context import Context
from agentzip.validator.findings import Hit

TYPE_CHECKING = False
if TYPE_CHECKING:  # a folder check never loads the zip reader
    from agentzip.validator.zip import ZipArchive

# A hostile zip repeats one problem thousands of times: name this many, then one hit for the rest.
MAX_HITS = 50
REBUILD = (
    "rebuild the zip from the source folder: cd my-agent && zip -r ../agent-code.zip . (or agentzip build my-agent)"
)
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def archive(ctx: Context) -> ZipArchive | None:
    return ctx.bundle.archive


def shown(name: str) -> str:
    """A name safe to print: control characters as escapes (a NUL or ESC must not reach a terminal)."""
    return CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", name)


def capped(hits: Iterable[Hit], what: str, hint: str) -> Iterator[Hit]:
    rest: list[str] = []
    for n, h in enumerate(hits):
        if n < MAX_HITS:
            yield h
        elif h.path is not None:
            rest.append(h.path)
    if rest:
        yield Hit(None, f"{len(rest):,} more {what} not listed", hint, paths=tuple(rest))


def anomaly_hits(ctx: Context, kind: str, hint: str) -> Iterator[Hit]:
    a = archive(ctx)
    if a is None:
        return
    for x in a.anomalies:
        if x.kind == kind:
            yield Hit(shown(x.path) if x.path is not None else None, x.message, hint)
