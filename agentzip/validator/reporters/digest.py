"""What the text report shows: one entry per cause, findings that share a fix grouped under it.

JSON, SARIF, JUnit and GitHub keep every finding; this digest is for a person reading a terminal,
where eleven distributions built for Windows are one diagnosis with one command, not 22 findings
with the same 190-character fix.
"""

import re
from collections.abc import Iterable, Sequence

from agentzip.records import NamedTuple
from agentzip.validator.findings import Finding, Severity

# One cause, two rules: a distribution installed from a Windows wheel is AZ205 (its WHEEL tags)
# and AZ301 (its .pyd files). The text shows the binary rule, which names the files and is decided
# from their bytes, and says "also AZ205" on it. Key: the rule that steps back; value: the rules
# that speak for it about the same distribution (the same finding path).
FOLDED_INTO: dict[str, tuple[str, ...]] = {
    "AZ205": ("AZ301", "AZ302", "AZ303", "AZ304", "AZ306"),
}

# How a group of distributions with one cause and one fix reads: "11 distributions were installed
# for Windows: ...". Rules not named here list their findings one by one, with the fix once.
GROUP_PHRASES: dict[str, str] = {
    "AZ301": "were installed for Windows",
    "AZ302": "were installed for macOS",
    "AZ303": "were installed for another CPU or operating system",
    "AZ304": "were installed for musl libc (Alpine)",
    "AZ305": "ship code that needs a newer glibc than the runtime is known to have",
    "AZ306": "were installed for another CPython",
}

# Joins a distribution's name and version in a lead, so a renderer can keep them on one line.
NBSP_MARK = "\x00"
_DIST_INFO = r"(?:^|/)([^/]+)-([^/-]+)\.dist-info/?$"


class Entry(NamedTuple):
    """One finding as the text shows it, with the rules folded into it ("AZ205 incompatible-wheel-tag")."""

    finding: Finding
    also: tuple[str, ...] = ()

    @property
    def distribution(self) -> str | None:
        """'charset-normalizer 3.5.3' when the finding is about a dist-info folder, else None."""
        f = self.finding
        m = re.search(_DIST_INFO, f.path or "")
        if m is None:
            return None
        name, version = m.groups()
        # The message usually starts with the project's display name ("charset-normalizer 3.5.3: ...").
        head = f.message.split(":", 1)[0].split(" is ", 1)[0]
        if head.endswith(f" {version}") and _canonical(head[: -len(version) - 1]) == _canonical(name):
            return head
        return f"{name} {version}"


class Group(NamedTuple):
    """Findings of one rule that share one fix: shown together, the fix once."""

    entries: tuple[Entry, ...]
    hint: str
    why: str = ""  # the reason every message ends with, said once

    def lead(self, code: str) -> str | None:
        """'11 distributions were installed for Windows: a, b, ...' when the group reads as one sentence."""
        names = [e.distribution for e in self.entries]
        if len(self.entries) < 2 or code not in GROUP_PHRASES or any(n is None for n in names):
            return None
        shown = [
            str(n).replace(" ", NBSP_MARK) + (f" (also {', '.join(_codes(e.also))})" if e.also else "")
            for n, e in zip(names, self.entries, strict=True)
        ]
        return f"{len(shown)} distributions {GROUP_PHRASES[code]}: {', '.join(shown)}"

    def message(self, entry: Entry) -> str:
        """An entry's message without the reason the group states once."""
        text = entry.finding.message
        return text[: -len(self.why) - 2] if self.why else text


class Section(NamedTuple):
    """One rule's findings, as groups; `also` when every one of them stands for another rule too."""

    code: str
    rule: str
    severity: Severity
    groups: tuple[Group, ...]
    also: tuple[str, ...] = ()


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _codes(also: Sequence[str]) -> list[str]:
    return [a.split(" ", 1)[0] for a in also]


def fold(findings: Iterable[Finding]) -> list[Entry]:
    """Every finding as an entry, minus those another rule's finding already stands for."""
    findings = list(findings)
    speakers: dict[tuple[str, str], Finding] = {}
    for f in findings:
        for quiet, loud in FOLDED_INTO.items():
            if f.code in loud and f.path is not None:
                speakers.setdefault((quiet, f.path), f)
    folded: dict[int, list[str]] = {}
    kept: list[Finding] = []
    for f in findings:
        speaker = speakers.get((f.code, f.path or ""))
        if speaker is not None and speaker.severity >= f.severity:
            folded.setdefault(id(speaker), []).append(f"{f.code} {f.rule}")
        else:
            kept.append(f)
    return [Entry(f, tuple(sorted(set(folded.get(id(f), []))))) for f in kept]


def _why(messages: list[str]) -> str:
    """The '; '-separated tail every message shares, when each keeps something of its own."""
    if len(messages) < 2:
        return ""
    parts = [m.split("; ") for m in messages]
    tail: list[str] = []
    while all(len(p) > len(tail) + 1 for p in parts):
        candidate = parts[0][-1 - len(tail)]
        if any(p[-1 - len(tail)] != candidate for p in parts):
            break
        tail.insert(0, candidate)
    return "; ".join(tail)


def digest(findings: Iterable[Finding]) -> list[Section]:
    """Sections in report order (worst first, then by code), each rule's findings grouped by fix."""
    entries = sorted(
        fold(findings),
        key=lambda e: (
            -int(e.finding.severity),
            e.finding.code,
            e.finding.path or "",
            e.finding.line or 0,
            e.finding.message,
        ),
    )
    sections: dict[tuple[str, str, Severity], dict[str, list[Entry]]] = {}
    for e in entries:
        f = e.finding
        # An empty hint is no shared fix: each such finding stands alone.
        key = f.hint if f.hint else f"\0{len(sections.get((f.code, f.rule, f.severity), {}))}"
        sections.setdefault((f.code, f.rule, f.severity), {}).setdefault(key, []).append(e)
    out: list[Section] = []
    for (code, rule, severity), by_hint in sections.items():
        groups = tuple(
            Group(tuple(es), es[0].finding.hint, _why([e.finding.message for e in es])) for es in by_hint.values()
        )
        alsos = {e.also for g in groups for e in g.entries}
        also = next(iter(alsos)) if len(alsos) == 1 else ()
        if also:  # said once on the heading, not on every entry
            groups = tuple(Group(tuple(Entry(e.finding) for e in g.entries), g.hint, g.why) for g in groups)
        out.append(Section(code, rule, severity, groups, also))
    return out
