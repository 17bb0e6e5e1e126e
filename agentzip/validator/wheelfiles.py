"""Raw `.whl` files shipped in a bundle: what each one is, and whether it fits the target."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from packaging.tags import Tag
from packaging.utils import InvalidWheelFilename, parse_wheel_filename

if TYPE_CHECKING:
    from agentzip.validator.bundle import Bundle, BundleFile
    from agentzip.validator.target import Target

# wheel-inspect reads the whole wheel and hashes every member: fine for a wheel, not for torch.
INSPECT_LIMIT = 64 << 20


@dataclass(frozen=True)
class RawWheel:
    """One `.whl` file found in the bundle."""

    path: str
    size: int
    project: str | None = None  # None when the file name is not a valid wheel name
    version: str | None = None
    tags: frozenset[Tag] = frozenset()
    fits: bool | None = None  # its tags intersect the target's (None: unknown)
    modules: tuple[str, ...] = ()  # top-level import names (wheel-inspect, folders only)
    requires_python: str | None = None
    dependencies: tuple[str, ...] = ()
    problem: str | None = None  # an invalid file name, or what wheel-inspect found wrong

    @property
    def tag_text(self) -> str:
        return ", ".join(sorted(str(t) for t in self.tags))


def find_raw_wheels(bundle: Bundle, files: list[BundleFile], target: Target) -> list[RawWheel]:
    """Every `.whl` of the bundle, described from its file name (and wheel-inspect for folders)."""
    out: list[RawWheel] = []
    for f in files:
        if f.is_dir or f.is_symlink or not f.path.lower().endswith(".whl"):
            continue
        try:
            project, version, _build, tags = parse_wheel_filename(f.name)
        except InvalidWheelFilename as e:
            out.append(RawWheel(f.path, f.size, problem=f"not a valid wheel file name ({e})"))
            continue
        fits = bool(tags & target.supported_tags) if target.is_python else None
        wheel = RawWheel(f.path, f.size, str(project), str(version), frozenset(tags), fits)
        # wheel-inspect wants a path on disk. A folder's wheel is one; a zip's member would have to
        # be extracted first, and this tool never extracts what it checks: zips get the file name only.
        if bundle.kind == "folder" and f.size <= INSPECT_LIMIT:
            wheel = _inspect(wheel, bundle.path / f.path)
        out.append(wheel)
    return out


def _inspect(wheel: RawWheel, path: Any) -> RawWheel:
    from dataclasses import replace

    try:
        from wheel_inspect import inspect_wheel  # type: ignore[import-untyped]

        about: dict[str, Any] = inspect_wheel(path)
    except Exception as e:  # noqa: BLE001: a third-party parser on an untrusted file must not sink the check
        return replace(wheel, problem=f"unreadable ({type(e).__name__}: {e})")
    metadata = about.get("dist_info", {}).get("metadata", {})
    derived = about.get("derived", {})
    problem = None
    if not about.get("valid", True):
        problem = str(about.get("validation_error", {}).get("str") or "invalid wheel")
    return replace(
        wheel,
        modules=tuple(sorted(derived.get("modules") or ())),
        requires_python=metadata.get("requires_python"),
        dependencies=tuple(derived.get("dependencies") or ()),
        problem=problem,
    )
