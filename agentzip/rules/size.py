"""Size rules (AZ5xx): the 250 MiB upload limit, measured, with the largest contributors named."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from agentzip.validator.context import Context
from agentzip.validator.findings import Hit, Severity
from agentzip.validator.registry import rule
from agentzip.validator.sizes import NEAR


def _mb(n: int) -> str:
    """In MiB, the limit's own unit: 250 MiB = 262,144,000 bytes (1 MiB = 2**20 bytes)."""
    if n < 2**10:
        return f"{n} B"
    if n < 2**20:  # a small contributor, or a small limit from the config
        return f"{n / 2**10:,.0f} KiB" if n % 2**10 == 0 else f"{n / 2**10:,.1f} KiB"
    return f"{n / 2**20:,.0f} MiB" if n % 2**20 == 0 else f"{n / 2**20:,.1f} MiB"


def _largest(per: Counter[str], k: int = 5) -> str:
    return ", ".join(f"{name} {_mb(n)}" for name, n in per.most_common(k))


def _size_hits(ctx: Context) -> Iterator[tuple[str, int, Counter[str]]]:
    if ctx.bundle.archive is not None and not ctx.bundle.archive.entries:
        return
    limit = ctx.options.size_limit
    size = ctx.index.zip_size
    if size.total > limit:
        yield "over", size.total, size.per_contributor
    elif size.measured and size.total > NEAR * limit:
        yield "near", size.total, size.per_contributor


def _what(ctx: Context) -> str:
    return "the zip" if ctx.bundle.kind == "zip" else "the zip this folder would make"


@rule("AZ501", "zip-too-large", Severity.ERROR)
def zip_too_large(ctx: Context) -> Iterator[Hit]:
    """The zip is over the 250 MiB upload limit.

    ## What it does
    Compares the zip's size (for a folder, the size of the zip it would make, measured by
    compressing it) with the limit clients enforce: 250 * 1024 * 1024 = 262,144,000 bytes. The
    message names the largest contributors, one distribution of `packages/` at a time.

    ## Why is this bad
    The upload is refused, or the version never leaves `creating`.

    ## Example
    `packages/torch` alone is 700 MiB.

    ## How to fix
    Drop what the agent does not import, use remote_build for large dependencies, or pick
    slimmer packages (`opencv-python-headless`, CPU-only builds).
    """
    for kind, total, per in _size_hits(ctx):
        if kind == "over":
            limit = ctx.options.size_limit
            yield Hit(
                None,
                f"{_what(ctx)} is {_mb(total)} ({total:,} bytes), over the {_mb(limit)} limit by {_mb(total - limit)}; "
                f"largest: {_largest(per)}",
                "remove what the agent does not import from the largest contributors, or switch to remote_build",
            )


@rule("AZ502", "zip-near-limit", Severity.WARNING)
def zip_near_limit(ctx: Context) -> Iterator[Hit]:
    """The zip is over 90% of the 250 MiB upload limit.

    ## What it does
    Warns when the zip (or the zip a folder would make) is within 10% of 262,144,000 bytes.

    ## Why is this bad
    The next dependency bump can push it over and fail a deploy that worked yesterday.

    ## Example
    A 240 MiB bundle with `packages/onnxruntime` and `packages/numpy`.

    ## How to fix
    Look at the largest contributors named in the message and trim them before they grow.
    """
    for kind, total, per in _size_hits(ctx):
        if kind == "near":
            limit = ctx.options.size_limit
            yield Hit(
                None,
                f"{_what(ctx)} is {_mb(total)}, {100 * total / limit:.0f}% of the {_mb(limit)} limit; largest: {_largest(per)}",
                "trim the largest contributors before the next dependency bump pushes it over",
            )
