""".NET start-up and restore failures found in a log pasted from the portal, azd or the service's error."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# The host's (hostfxr) and the runtime's own words; MSBuild/NuGet codes as `dotnet restore` prints them.
_FRAMEWORK_MISSING = re.compile(
    r"You must install or update \.NET to run this application"
    r"|It was not possible to find any compatible framework version"
)
_FRAMEWORK = re.compile(r"""[Ff]ramework:? '([\w.]+)',? version '([\w.+-]+)'""")
_APP = re.compile(r"^App: (.+)$")
_NO_APP = re.compile(r"""The application to execute does not exist: '([^']+)'""")
_DLL = re.compile(r"""DllNotFoundException: Unable to load (?:shared library|DLL) '([^']+)'""")
_ASSEMBLY = re.compile(
    r"""FileNotFoundException: Could not load file or assembly '([\w.]+)(?:, Version=([\d.]+))?[^']*'"""
)
_NU1015 = re.compile(r"NU1015: The following PackageReference item\(s\) do not have a version specified: (.+?)\.?$")
_NETSDK1129 = re.compile(r"NETSDK1129:.*?following frameworks in order to publish: (.+?)\.?$")
_NU1101 = re.compile(
    r"NU1101: Unable to find package ([\w.-]+)\.(?: No packages exist with this id in source\(s\): (.+?)\.?$)?"
)
MAX_LINE = 4096  # a longer line is cut: a pasted log is text, never a reason to run long
MAX_FAILURES = 200  # as logscan: the first ones are the ones to fix
MAX_COUNTED = 100_000  # distinct failures counted past the cap, so memory stays bounded too


@dataclass(frozen=True)
class DotnetFailure:
    """One distinct failure and the facts the log gave about it."""

    kind: str  # framework-missing | app-missing | native-missing | assembly-missing | NU1015 | NETSDK1129 | NU1101
    line: str  # the log line, as written (for framework-missing: the first one)
    subject: str | None = None  # the framework, dll path, native library, assembly or package
    version: str | None = None  # the framework or assembly version asked for
    items: tuple[str, ...] = ()  # NU1015 packages, NETSDK1129 frameworks, NU1101 sources

    @property
    def key(self) -> tuple[str, str | None, str | None]:
        return (self.kind, self.subject, self.version)


def _items(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in re.split(r"[;,]", text) if p.strip())


def _one(line: str) -> DotnetFailure | None:
    if m := _NO_APP.search(line):
        return DotnetFailure("app-missing", line, m.group(1))
    if m := _DLL.search(line):
        return DotnetFailure("native-missing", line, m.group(1))
    if m := _ASSEMBLY.search(line):
        return DotnetFailure("assembly-missing", line, m.group(1), m.group(2))
    if m := _NU1015.search(line):
        return DotnetFailure("NU1015", line, items=_items(m.group(1)))
    if m := _NETSDK1129.search(line):
        return DotnetFailure("NETSDK1129", line, items=_items(m.group(1)))
    if m := _NU1101.search(line):
        return DotnetFailure("NU1101", line, m.group(1), items=_items(m.group(2) or ""))
    return None


class Scanner:
    """Reads a log one line at a time (so a log streamed to Python's scan too is read once); bounded."""

    def __init__(self, limit: int = MAX_FAILURES) -> None:
        self.failures: list[DotnetFailure] = []
        self.left = 0  # distinct failures past `limit`
        self._limit = limit
        self._seen: set[tuple[str, str | None, str | None]] = set()
        self._pending: DotnetFailure | None = None  # a framework-missing still waiting for its framework line
        self._app: str | None = None

    def _add(self, found: DotnetFailure) -> None:
        if found.key in self._seen or len(self._seen) >= self._limit + MAX_COUNTED:
            return
        self._seen.add(found.key)
        if len(self.failures) < self._limit:
            self.failures.append(found)
        else:
            self.left += 1

    def feed(self, raw: str) -> None:
        line = raw.strip()[:MAX_LINE]
        if _FRAMEWORK_MISSING.search(line):
            if self._pending is not None:
                self._add(self._pending)
            self._pending, self._app = DotnetFailure("framework-missing", line), None
            return
        if self._pending is not None:
            if m := _APP.match(line):
                self._app = m.group(1)
            elif m := _FRAMEWORK.search(line):
                app = (self._app,) if self._app else ()
                self._add(DotnetFailure("framework-missing", self._pending.line, m.group(1), m.group(2), app))
                self._pending = None
                return
        found = _one(line)
        if found is not None:
            self._add(found)

    def close(self) -> list[DotnetFailure]:
        """The failures, once the log has ended (a framework-missing with no framework line is kept)."""
        if self._pending is not None:
            self._add(self._pending)
            self._pending = None
        return self.failures


def scan(text: str | Iterable[str]) -> list[DotnetFailure]:
    """Every distinct .NET failure in the log (a string, or its lines), in order of first appearance.

    "You must install or update .NET" spans several lines: the framework and version it asked
    for follow it (`Framework: 'Microsoft.NETCore.App', version '9.0.0' (x64)`), so the failure
    is completed from the lines after it.
    """
    scanner = Scanner()
    for raw in text.splitlines() if isinstance(text, str) else text:
        scanner.feed(raw)
    return scanner.close()
