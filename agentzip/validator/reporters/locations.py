"""Where a finding is, for formats that point into the repository (SARIF, GitHub annotations)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from agentzip.validator.findings import Finding, Report


@dataclass(frozen=True)
class Where:
    """A file on disk (repository-relative when it is inside the repository) and a spot in it."""

    file: str  # posix path relative to the repository root, or absolute when outside it
    relative: bool
    inner: str | None = None  # the path inside a zip, when the finding is about a member
    line: int | None = None

    @property
    def uri(self) -> str:
        """A URI reference: percent-encoded relative path, or a file:// URI outside the repository."""
        if self.relative:
            return quote(self.file, safe="/")
        return Path(self.file).as_uri()


def repo_root(start: Path | None = None) -> Path:
    """The repository the tool runs in (the folder holding `.git`), else the working folder.

    GitHub code scanning reads relative URIs as relative to the repository root, and workflow
    commands' `file=` as relative to the workspace, which is the checkout.
    """
    here = (start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        if (d / ".git").exists():
            return d
    return here


def _rel(path: Path, root: Path) -> tuple[str, bool]:
    try:
        rel = path.resolve().relative_to(root)
    except ValueError:
        return str(path.resolve()), False
    text = rel.as_posix()
    return ("." if text in ("", ".") else text), True


def locate(report: Report, f: Finding, root: Path) -> Where:
    """The definition file for definition findings; the zip (and the member inside it) for a zip;
    the file under the folder for a folder; the input itself for findings without a path."""
    bundle = Path(report.input.path)
    definition = report.target.get("definition") or {}
    if f.path is not None and f.path == definition.get("path"):
        file, rel = _rel(Path(f.path), root)
        return Where(file, rel, None, f.line)
    if report.input.kind == "zip":
        file, rel = _rel(bundle, root)
        return Where(file, rel, f.path, None)
    if f.path is None:
        file, rel = _rel(bundle, root)
        return Where(file, rel, None, None)
    file, rel = _rel(bundle / f.path.rstrip("/").replace("/", os.sep), root)
    return Where(file, rel, None, f.line)
