"""`agentzip size`: the largest contributors as a sorted bar chart, zipped and unzipped, against the limit."""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from typing import Any

from agentzip.terminal import style

BLOCKS = " ▏▎▍▌▋▊▉█"  # eighths of a cell: bars are drawn to 1/8 of a character
MIN_BAR = 10
SCHEMA = 1  # of `size --format json`: fields are added, never changed


@dataclass(frozen=True)
class Row:
    """One contributor: a top-level entry, or one distribution in packages/."""

    name: str
    zipped: int
    unzipped: int
    files: int


@dataclass(frozen=True)
class SizeBreakdown:
    """What a zip, or the zip a folder would make, is made of."""

    path: str
    kind: str
    total: int  # bytes of the zip
    unzipped: int  # bytes once extracted
    limit: int
    rows: tuple[Row, ...]  # largest zipped first

    @property
    def headroom(self) -> int:
        return self.limit - self.total


def measure_path(path: str | os.PathLike[str], limit: int | None = None) -> SizeBreakdown:
    """Measure PATH, compressing a folder's files for real (the rules only do it near the limit)."""
    from agentzip.foundry import SIZE_LIMIT
    from agentzip.validator.bundle import Bundle
    from agentzip.validator.sizes import measure

    if limit is None:
        from agentzip.validator.config import load

        limit = load(path).size_limit or SIZE_LIMIT
    bundle = Bundle.open(path)
    files = [f for f in bundle.files if not f.is_dir]
    size = measure(bundle, files, limit, compress=True)
    names = set(size.uncompressed) | set(size.per_contributor)
    rows = sorted(
        (Row(n, size.per_contributor[n], size.uncompressed[n], size.files[n]) for n in names),
        key=lambda r: (-r.zipped, -r.unzipped, r.name),
    )
    return SizeBreakdown(str(path), bundle.kind, size.total, sum(size.uncompressed.values()), limit, tuple(rows))


def _mib(n: int) -> str:
    """In MiB (2**20 bytes), the unit of the limit: 250 MiB = 262,144,000 bytes."""
    return f"{n / 2**20:,.1f} MiB"


def _human(n: int) -> str:
    """Small contributors in KiB, so they do not all read 0.0 MiB."""
    if n < 2**20:
        return f"{n / 2**10:,.1f} KiB" if n >= 2**10 else f"{n} B"
    return _mib(n)


def to_json(breakdowns: list[SizeBreakdown]) -> dict[str, Any]:
    """The chart's data as one versioned document: every contributor, in bytes, largest first."""
    from agentzip import __version__

    return {
        "agentzip": __version__,
        "schema": SCHEMA,
        "sizes": [
            {
                "path": b.path,
                "kind": b.kind,
                "bytes": b.total,
                "unzipped": b.unzipped,
                "limit": b.limit,
                "headroom": b.headroom,
                "files": sum(r.files for r in b.rows),
                "contributors": [
                    {"name": r.name, "zipped": r.zipped, "unzipped": r.unzipped, "files": r.files} for r in b.rows
                ],
            }
            for b in breakdowns
        ],
    }


def _limit(n: int) -> str:
    """'250 MiB (262,144,000 bytes)': the limit as clients state it, and exactly."""
    whole = f"{n / 2**20:,.0f}" if n % 2**20 == 0 else f"{n / 2**20:,.1f}"
    return f"{whole} MiB ({n:,} bytes)"


def _bar(cells: float, ascii: bool) -> str:
    """A bar `cells` characters long, to an eighth of a character (a whole one in ASCII)."""
    if ascii:
        return "#" * round(cells)
    whole, part = divmod(round(cells * 8), 8)
    return BLOCKS[-1] * whole + (BLOCKS[part] if part else "")


def _can_draw_blocks() -> bool:
    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    try:
        "█▏░".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def render(
    b: SizeBreakdown, *, color: bool = False, top: int = 12, width: int | None = None, ascii: bool | None = None
) -> str:
    """The chart: a gauge of the limit, then one bar per contributor, largest first.

    Each bar is drawn to the scale of the largest unzipped contributor: the solid part is what
    it adds to the zip, the light part what it adds once extracted.
    """
    if ascii is None:
        ascii = not _can_draw_blocks()
    if width is None:
        width = shutil.get_terminal_size((100, 24)).columns
    solid, light, empty = ("#", "-", ".") if ascii else (BLOCKS[-1], "░", "·")
    out: list[str] = []
    share = b.total / b.limit if b.limit else 0.0
    tone = "red" if b.total > b.limit else ("yellow" if share > 0.9 else "green")
    what = "the zip" if b.kind == "zip" else "the zip this folder would make"
    room = f"{_mib(b.headroom)} headroom" if b.headroom >= 0 else f"{_mib(-b.headroom)} over the limit"
    out.append(style(f"{b.path}: {what}", color, bold=True))
    gauge_cells = max(MIN_BAR, min(50, width - 12))
    gauge = _bar(min(share, 1.0) * gauge_cells, ascii)
    gauge += empty * (gauge_cells - len(gauge))
    out.append(f"  [{style(gauge, color, fg=tone)}] {share:4.0%}")
    out.append(f"  {_human(b.total)} of {_limit(b.limit)}, {style(room, color, fg=tone)}")
    out.append(f"  unzipped: {_human(b.unzipped)} in {sum(r.files for r in b.rows):,} files")
    out.append("")
    shown = list(b.rows[:top])
    rest = b.rows[top:]
    if rest:
        shown.append(
            Row(
                f"({len(rest)} more)",
                sum(r.zipped for r in rest),
                sum(r.unzipped for r in rest),
                sum(r.files for r in rest),
            )
        )
    if not shown:
        out.append("  (no files)")
        return "\n".join(out) + "\n"
    name_w = min(40, max(len("contributor"), *(len(r.name) for r in shown)))
    head = f"  {'contributor':<{name_w}}  {'zipped':>10}  {'unzipped':>10}  {'files':>7}  "
    cells = max(MIN_BAR, width - len(head) - 1)
    scale = max(r.unzipped for r in shown) or 1
    out.append(style(head.rstrip(), color, dim=True))
    for r in shown:
        name = r.name if len(r.name) <= name_w else r.name[: name_w - 1] + "…"
        z = _bar(r.zipped / scale * cells, ascii)
        extra = light * max(0, round(r.unzipped / scale * cells) - len(z))
        line = f"  {name:<{name_w}}  {_human(r.zipped):>10}  {_human(r.unzipped):>10}  {r.files:>7,}  "
        out.append(line + style(z, color, fg="cyan") + style(extra, color, dim=True))
    out.append("")
    out.append(f"  {solid} zipped  {light} unzipped, to the scale of the largest contributor")
    return "\n".join(out) + "\n"
