"""Settings: runtime, mode and entry point from flags, else the folder's definition file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentzip.errors import UsageError

PYTHON_RUNTIMES: dict[str, tuple[int, int]] = {"python_3_13": (3, 13), "python_3_14": (3, 14)}
MODES = ("remote_build", "bundled")


@dataclass(frozen=True)
class Settings:
    """The resolved target of a build, and where each value came from (for the summary)."""

    runtime: str
    mode: str
    entry_point: tuple[str, ...]
    python_version: tuple[int, int]
    sources: dict[str, str]  # "mode" -> "flag" | "azure.yaml" | "default"

    @property
    def entry_file(self) -> str:
        """The file `python main.py` runs, relative to the zip root."""
        args = [a for a in self.entry_point[1:] if not a.startswith("-")]
        if self.entry_point[0] not in ("python", "python3"):
            args = list(self.entry_point)
        return args[0] if args else "main.py"


def _load_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None  # a broken definition is `check`'s to report, not a reason to stop a build


def definition(src: Path) -> tuple[dict[str, str], str | None]:
    """Code configuration from azure.yaml (camelCase) or agent.yaml (snake_case) in SRC or above.

    azure.yaml names the service folder with `project:`; the service whose project is SRC wins,
    else the only azure.ai.agent service of an azure.yaml in SRC itself.
    """
    src = src.resolve()
    for folder in (src, *src.parents[:3]):
        doc = _load_yaml(folder / "azure.yaml")
        if isinstance(doc, dict) and isinstance(doc.get("services"), dict):
            agents = [
                s for s in doc["services"].values()
                if isinstance(s, dict) and s.get("host") == "azure.ai.agent"
            ]
            mine = [s for s in agents if (folder / str(s.get("project", "."))).resolve() == src]
            # the only agent service counts when azure.yaml sits in SRC itself; higher up it is
            # some other folder's definition
            pick = mine or (agents if len(agents) == 1 and folder == src else [])
            if pick and isinstance(pick[0].get("codeConfiguration"), dict):
                cc = pick[0]["codeConfiguration"]
                return {
                    "runtime": str(cc.get("runtime") or ""),
                    "mode": str(cc.get("dependencyResolution") or ""),
                    "entry_point": str(cc.get("entryPoint") or ""),
                }, "azure.yaml"
    doc = _load_yaml(src / "agent.yaml")
    if isinstance(doc, dict) and isinstance(doc.get("code_configuration"), dict):
        cc = doc["code_configuration"]
        entry = cc.get("entry_point")
        return {
            "runtime": str(cc.get("runtime") or ""),
            "mode": str(cc.get("dependency_resolution") or ""),
            "entry_point": " ".join(map(str, entry)) if isinstance(entry, list) else str(entry or ""),
        }, "agent.yaml"
    return {}, None


def resolve(src: Path, runtime: str | None, mode: str | None, entry_point: str | None) -> Settings:
    """Flags win, then the definition file; the runtime defaults to python_3_13 and the mode to bundled."""
    found, origin = definition(src)
    sources: dict[str, str] = {}

    def pick(key: str, flag: str | None, default: str) -> str:
        if flag:
            sources[key] = "flag"
            return flag
        if found.get(key):
            sources[key] = origin or "definition"
            return found[key]
        sources[key] = "default"
        return default

    runtime = pick("runtime", runtime, "python_3_13")
    if runtime not in PYTHON_RUNTIMES:
        raise UsageError(
            f"agentzip build makes Python bundles; the runtime is {runtime!r} "
            f"(choose {' or '.join(PYTHON_RUNTIMES)})"
        )
    # The documented build (FOUNDRY.md) is the bundled one; the summary says it was a default.
    mode = pick("mode", mode, "bundled")
    if mode not in MODES:
        raise UsageError(f"unknown dependency resolution {mode!r} (choose remote_build or bundled)")
    entry = pick("entry_point", entry_point, "main.py").split()
    if len(entry) == 1:
        entry = ["python", entry[0]]  # azd's one-file entryPoint: it prefixes the runner
    return Settings(runtime, mode, tuple(entry), PYTHON_RUNTIMES[runtime], sources)
