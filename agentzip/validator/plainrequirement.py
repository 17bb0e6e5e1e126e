"""The ordinary requirement line (`name[extra]>=1,<2`) read without packaging; anything fancier goes to packaging.

Nearly every line of a real requirements.txt is a name, maybe extras, and release-number versions.
packaging's Requirement parses those too, but importing it (tokenizer, markers, specifiers) costs
about as much as starting the interpreter, and a pre-commit hook pays it on every commit. The reader
here accepts only lines that are surely valid and mean the same to packaging (a property test holds
that); it declines the rest (markers, URLs, `===`, pre-releases, local versions, `.*` after `>=`...),
which packaging then parses exactly as before, with its own error messages.
"""

from __future__ import annotations

import re
from collections.abc import Set

from agentzip.validator.projectname import canonicalize_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol

    from packaging.markers import Marker
    from packaging.specifiers import SpecifierSet

    # A type only: at run time nothing checks against it, and defining it would import typing.
    class RequirementLike(Protocol):
        """What is read of a requirement: packaging's Requirement, or a PlainRequirement standing in for one."""

        @property
        def name(self) -> str: ...

        @property
        def url(self) -> str | None: ...

        @property
        def extras(self) -> Set[str]: ...

        @property
        def specifier(self) -> SpecifierSet: ...

        @property
        def marker(self) -> Marker | None: ...


# PEP 508 names (and extras): ASCII letters and digits, inner `.`, `_`, `-`.
_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
_OP = r"(?:~=|==|!=|<=|>=|<|>)"
_CLAUSE = rf"{_OP}[ \t]*[0-9][0-9.*]*"
_PLAIN = re.compile(
    rf"[ \t]*(?P<name>{_NAME})[ \t]*"
    rf"(?:\[[ \t]*(?P<extras>{_NAME}(?:[ \t]*,[ \t]*{_NAME})*)[ \t]*\][ \t]*)?"
    rf"(?P<specs>{_CLAUSE}(?:[ \t]*,[ \t]*{_CLAUSE})*)?[ \t]*",
    re.ASCII,
)
_OPERATOR = re.compile(_OP)
_RELEASE = re.compile(r"[0-9]+(?:\.[0-9]+)*", re.ASCII)
# Longer lines are not ordinary; packaging reads them (and no regex here runs on 64 KiB).
PLAIN_LIMIT = 1024


class PlainRequirement:
    """A requirement with a name, extras and release-number specifiers; no marker, no URL.

    `specifier` builds packaging's SpecifierSet on first use; `clauses` answers "is it pinned" without it.
    """

    __slots__ = ("_specifier", "clauses", "extras", "name")

    def __init__(self, name: str, extras: frozenset[str], clauses: tuple[tuple[str, str], ...]) -> None:
        self.name = name
        self.extras = extras
        self.clauses = clauses  # (operator, version) as written, in line order
        self._specifier: SpecifierSet | None = None

    @property
    def url(self) -> str | None:
        return None

    @property
    def marker(self) -> Marker | None:
        return None

    @property
    def specifier(self) -> SpecifierSet:
        if self._specifier is None:
            from packaging.specifiers import SpecifierSet

            self._specifier = SpecifierSet(",".join(op + v for op, v in self.clauses))
        return self._specifier

    def __str__(self) -> str:
        # packaging's spelling: extras sorted, specifiers sorted by their text
        extras = f"[{','.join(sorted(self.extras))}]" if self.extras else ""
        return self.name + extras + ",".join(sorted(op + v for op, v in self.clauses))

    def __repr__(self) -> str:
        return f"<PlainRequirement({str(self)!r})>"

    def _key(self) -> tuple[str, frozenset[str], frozenset[tuple[str, str]]]:
        return canonicalize_name(self.name), frozenset(map(canonicalize_name, self.extras)), frozenset(self.clauses)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PlainRequirement) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())


def read_plain(spec: str) -> PlainRequirement | None:
    """The requirement when `spec` is an ordinary line packaging surely reads the same; None otherwise."""
    if len(spec) > PLAIN_LIMIT:
        return None
    m = _PLAIN.fullmatch(spec)
    if m is None:
        return None
    extras = frozenset(e.strip() for e in m["extras"].split(",")) if m["extras"] else frozenset()
    clauses: list[tuple[str, str]] = []
    for text in m["specs"].split(",") if m["specs"] else ():
        text = text.strip()
        op = _OPERATOR.match(text)
        assert op is not None  # the line matched _PLAIN: every clause starts with an operator
        clause = (op[0], text[op.end() :].strip())
        if not _surely_valid(*clause) or any(c[0] == clause[0] for c in clauses):
            # a repeated operator may be a duplicate packaging folds (`>=1,>=1.0`): its spelling decides
            return None
        clauses.append(clause)
    return PlainRequirement(m["name"], extras, tuple(clauses))


def _surely_valid(op: str, version: str) -> bool:
    """A release number (`1`, `1.2.3`), `.*` after it only for ==/!=, two segments at least for ~= (PEP 440)."""
    if version.endswith(".*") and op in ("==", "!="):
        version = version[:-2]
    if not _RELEASE.fullmatch(version):
        return False
    return op != "~=" or "." in version


def specifier_clauses(req: RequirementLike) -> tuple[tuple[str, str], ...]:
    """(operator, version) of each specifier: a plain line's as read, a remembered line's from its
    text, without building a SpecifierSet for either."""
    if isinstance(req, PlainRequirement):
        return req.clauses
    text = spec_text(req)
    if text is not None:
        return tuple((op[0], c[op.end() :]) for c in text.split(",") if c and (op := _ANY_OPERATOR.match(c)))
    return tuple((s.operator, s.version) for s in req.specifier)


# Every PEP 440 operator, longest first: packaging spells a specifier as operator + version.
_ANY_OPERATOR = re.compile(r"===|~=|==|!=|<=|>=|<|>")


def spec_text(req: RequirementLike) -> str | None:
    """The specifier set as packaging spells it, for a plain or remembered requirement ("" when
    none), without building it; None for packaging's own Requirement, whose SpecifierSet is built."""
    from agentzip.validator.memo import MemoRequirement

    if isinstance(req, PlainRequirement):
        return ",".join(sorted(op + v for op, v in req.clauses))  # packaging's spelling (str of a SpecifierSet)
    if isinstance(req, MemoRequirement):
        return req.spec_text
    return None
