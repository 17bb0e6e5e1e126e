"""Wheel tags (PEP 425) as packaging.tags has them, without importing it on the check path.

packaging.tags costs a check ~54M instructions of imports (logging, platform, subprocess, sysconfig,
its manylinux and musllinux probes) for two small things: expanding WHEEL's `Tag:` lines and listing
the tags a CPython on Linux accepts. Both are here, giving exactly packaging's answers (a test holds
them to it). A `Tag` here never equals one of packaging's: code that meets both (wheel file names
parsed by packaging.utils) converts with `Tag(t.interpreter, t.abi, t.platform)`.
"""

from collections.abc import Iterable, Iterator

from agentzip.records import NamedTuple


class _Fields(NamedTuple):
    interpreter: str
    abi: str
    platform: str


class TooManyTags(ValueError):
    """A compressed tag set expands to more tags than the caller's limit."""


class Tag(_Fields):
    """One interpreter-abi-platform triple, lowercased on construction as packaging.tags.Tag is."""

    __slots__ = ()

    def __new__(cls, interpreter: str, abi: str, platform: str) -> "Tag":
        # tuple's own constructor: the named tuple's generated __new__ would be a second Python call per tag
        return tuple.__new__(cls, (interpreter.lower(), abi.lower(), platform.lower()))

    def __str__(self) -> str:
        return f"{self.interpreter}-{self.abi}-{self.platform}"


def parse_tag(text: str, *, limit: int | None = None) -> frozenset[Tag]:
    """Every tag of a (compressed) tag set such as `py2.py3-none-any`, as packaging.tags.parse_tag.

    ValueError, as packaging (26.3 on) raises it: not three `-` parts, an empty member, an
    interpreter that is not an identifier, or (with `limit`) a set that expands to more tags.
    """
    parts = [component.split(".") for component in text.split("-")]
    for members in parts:
        if "" in members:
            raise ValueError(f"Tag {text!r} has an empty component: {'.'.join(members)!r}")
    count = 1
    for members in parts:
        count *= len(members)
    # checked before the three-part check, as packaging does: a hostile line never expands
    if limit is not None and count > limit:
        raise TooManyTags(f"Tag {text!r} would expand to {count} tags, more than {limit}")
    if len(parts) != 3:
        raise ValueError(f"Tag {text!r} must have exactly three components")
    interpreters, abis, platforms = parts
    for interpreter in interpreters:
        if not interpreter.isidentifier():
            raise ValueError(f"Tag {text!r} has an invalid interpreter: {interpreter!r}")
    return frozenset(Tag(i, a, p) for i in interpreters for a in abis for p in platforms)


def supported(python_version: tuple[int, int], platforms: Iterable[str]) -> frozenset[Tag]:
    """Every tag a (GIL) CPython `python_version` accepts on `platforms`: packaging.tags'
    `cpython_tags(v, abis=[cpXY], platforms)` together with `compatible_tags(v, cpXY, platforms)`."""
    major, minor = python_version
    cp = f"cp{major}{minor}"
    platforms = list(platforms)
    found = {Tag(cp, abi, p) for abi in (cp, "none") for p in platforms}
    if (major, minor) >= (3, 2):
        # abi3 (PEP 384, from 3.2): this minor and every older one down to x.2
        found.update(Tag(cp, "abi3", p) for p in platforms)
        found.update(Tag(f"cp{major}{m}", "abi3", p) for m in range(minor - 1, 1, -1) for p in platforms)
    for py in _py_interpreters(major, minor):
        found.update(Tag(py, "none", p) for p in (*platforms, "any"))
    found.add(Tag(cp, "none", "any"))
    return frozenset(found)


def _py_interpreters(major: int, minor: int) -> Iterator[str]:
    """pyXY, pyX, then every older minor of X down to pyX0, as packaging's _py_interpreter_range."""
    yield f"py{major}{minor}"
    yield f"py{major}"
    for m in range(minor - 1, -1, -1):
        yield f"py{major}{m}"
