"""`[tool.agentzip]` in pyproject.toml or agentzip.toml: found by walking up from PATH, validated strictly."""

import os
import re
import sys
from collections.abc import Mapping
from types import MappingProxyType

from agentzip.errors import UsageError
from agentzip.records import NamedTuple
from agentzip.validator.userfile import pathstr, real

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

AGENTZIP_TOML = "agentzip.toml"
PYPROJECT = "pyproject.toml"

KEYS = (
    "runtime",
    "mode",
    "entry-point",
    "glibc-floor",
    "select",
    "ignore",
    "per-path-ignores",
    "fail-on",
    "size-limit",
)
_UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "kib": 2**10, "mib": 2**20, "gib": 2**30}
_SIZE = r"^\s*(\d{1,20}(?:\.\d{1,20})?)\s*([a-zA-Z]{0,3})\s*$"
# A zip bigger than this is no deployment (the platform takes 250 MiB); it bounds what a typo can ask.
MAX_SIZE = 1 << 50
# pyproject.toml files are kilobytes; a larger one is refused, not read whole.
CONFIG_LIMIT = 4 << 20


class Config(NamedTuple):
    """Settings from a config file; None means "not set here" (flags and definitions fill in)."""

    source: "Path | None" = None  # quoted: pathlib loads only when a config file is found
    runtime: str | None = None
    mode: str | None = None
    entry_point: str | list[str] | None = None
    glibc_floor: tuple[int, int] | None = None
    select: list[str] | None = None
    ignore: list[str] | None = None
    # read-only: a named tuple's default is one object shared by every Config
    per_path_ignores: Mapping[str, list[str]] = MappingProxyType({})
    fail_on: str | None = None
    size_limit: int | None = None

    def describe(self) -> str:
        if self.source is None:
            return ""
        name = os.path.relpath(self.source) if self.source.is_absolute() else str(self.source)
        return name + (" [tool.agentzip]" if self.source.name == PYPROJECT else "")


def _toml(path: str | os.PathLike[str], *, mentioning: str | None = None) -> "dict[str, Any]":
    """The TOML document at PATH; {} without parsing when it cannot hold the key `mentioning`.

    Most pyproject.toml files cannot hold a [tool.agentzip] table (could_hold_tool_table), so most
    checks never load the TOML parser.
    """
    from agentzip.validator.userfile import read_text

    text = read_text(path, CONFIG_LIMIT, what="config file")
    if mentioning is not None and not could_hold_tool_table(text, mentioning):
        return {}
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise UsageError(f"{path}: not valid TOML: {e}") from None
    except RecursionError:
        raise UsageError(f"{path}: not valid TOML: nested too deeply") from None


def could_hold_tool_table(text: str, name: str) -> bool:
    """False only when TEXT surely has no `tool.NAME` key, so the TOML parser need not load.

    Most pyproject.toml files never name agentzip; an agent's may, as its project name or a dev
    dependency (`"agentzip>=1"`), which is no table. TOML spells a [tool.NAME] table as
    `tool.NAME` (quotes and blanks allowed around the dot: headers, dotted keys), as NAME under a
    `[tool]` header, as an inline `tool = {NAME = ...}`, or with \\u escapes in a quoted key;
    any of those, and the file is parsed. Blanks are [ \\t] (TOML's), never \\s: a run of empty
    lines must not make a multiline pattern quadratic.
    """
    if "\\u" in text or "\\U" in text:
        return True
    if name not in text:
        return False
    q, blank = r"[\"']?", r"[ \t]*"
    return bool(
        re.search(rf"tool{q}{blank}\.{blank}{q}{re.escape(name)}", text)
        or re.search(rf"(?m)^{blank}\[{blank}{q}tool{q}{blank}\]", text)
        or re.search(rf"(?m)^{blank}{q}tool{q}{blank}=", text)
    )


def find(start: str | os.PathLike[str]) -> "Path | None":
    """The nearest agentzip.toml, or pyproject.toml with a [tool.agentzip] table, from START upward.

    In one folder agentzip.toml wins, as ruff.toml wins over pyproject.toml for ruff; a
    pyproject.toml without the table does not stop the walk. One that may hold it but cannot be
    read (not TOML, not UTF-8, too large, not a file) is a UsageError, as a broken agentzip.toml
    is: whether it holds settings for this check cannot be known, and ignoring them silently
    would be worse.
    """
    found = _find(start)
    if found is None:
        return None
    from pathlib import Path

    return Path(found)


def _find(start: str | os.PathLike[str]) -> str | None:
    """find() with str paths: a check that finds no config never imports pathlib."""
    here = real(start)
    folder = here if os.path.isdir(here) else os.path.dirname(here)
    while True:
        own = os.path.join(folder, AGENTZIP_TOML)
        if os.path.isfile(own):
            return own
        py = os.path.join(folder, PYPROJECT)
        if os.path.isfile(py):
            try:
                doc = _toml(py, mentioning="agentzip")
            except UsageError as e:
                raise UsageError(f"{e} (found looking for [tool.agentzip]; fix it, or pass --no-config)") from None
            if isinstance(doc.get("tool"), Mapping) and "agentzip" in doc["tool"]:
                return py
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def load(
    start: str | os.PathLike[str],
    *,
    config: str | os.PathLike[str] | None = None,
    no_config: bool = False,
) -> Config:
    """The settings for checking START: `--config FILE`, else the nearest file, else nothing."""
    if no_config:
        return Config()
    if config is not None:
        path = pathstr(config)
        if not os.path.isfile(path):
            raise UsageError(f"{config}: no such config file")
    else:
        found = _find(start)
        if found is None:
            return Config()
        path = found
    return parse(path)


def parse(path: str | os.PathLike[str]) -> Config:
    """Read and validate one file; UsageError naming the file and the key for anything wrong."""
    path = pathstr(path)
    doc = _toml(path)
    where = path
    name = os.path.basename(path)
    if name == AGENTZIP_TOML or (name != PYPROJECT and "tool" not in doc):
        table: Any = doc
    else:
        table = doc.get("tool", {}).get("agentzip") if isinstance(doc.get("tool"), Mapping) else None
        where = f"{path} [tool.agentzip]"
        if table is None:
            if name == PYPROJECT:
                raise UsageError(f"{path}: no [tool.agentzip] table")
            table = {}
    if not isinstance(table, Mapping):
        raise UsageError(f"{where}: expected a table of settings")
    return _validate(table, path, where)


def _suggest(key: str, choices: tuple[str, ...] | list[str]) -> str:
    import difflib  # only a mistyped key pays for it

    close = difflib.get_close_matches(key.replace("_", "-").lower(), list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else f" (known: {', '.join(choices)})"


def _choice(where: str, key: str, value: "Any", choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        hint = _suggest(value, choices) if isinstance(value, str) else f" (choose {', '.join(choices)})"
        raise UsageError(f"{where}: {key} = {value!r} is not valid{hint}")
    return value


def _words(where: str, key: str, value: "Any") -> list[str]:
    """A list of rule selectors, or one comma-separated string (as on the command line)."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsageError(f'{where}: {key} must be a list of rule codes or names, e.g. ["AZ1", "junk-file"]')
    words = [w.strip() for v in value for w in v.split(",") if w.strip()]
    _check_selectors(where, key, words)
    return words


def _check_selectors(where: str, key: str, words: list[str]) -> None:
    from agentzip.validator.registry import all_rules, unknown_selectors

    bad = unknown_selectors(words)
    if bad:
        names = [r.name for r in all_rules()] + [r.code for r in all_rules()]
        raise UsageError(f"{where}: {key}: no rule matches {bad[0]!r}{_suggest(bad[0], names)}")


def parse_size(text: str | int) -> int:
    """262144000, '250MiB', '200 MB' -> bytes; ValueError otherwise."""
    if isinstance(text, bool):
        raise ValueError("a size, not a boolean")
    if isinstance(text, int):
        if text <= 0:
            raise ValueError("must be positive")
        if text > MAX_SIZE:
            raise ValueError(f"a number of {text.bit_length()} bits is larger than any zip ({MAX_SIZE} bytes at most)")
        return text
    if not isinstance(text, str):
        raise ValueError(f"{text!r} is not a size like 262144000, '250MiB' or '200MB'")
    m = re.match(_SIZE, text)
    if not m or m.group(2).lower() not in _UNITS:
        raise ValueError(f"{text!r} is not a size like 262144000, '250MiB' or '200MB'")
    from decimal import Decimal

    n = int(Decimal(m.group(1)) * _UNITS[m.group(2).lower()])
    if n <= 0:
        raise ValueError("must be positive")
    if n > MAX_SIZE:
        raise ValueError(f"{text!r} is larger than any zip ({MAX_SIZE} bytes at most)")
    return n


def _validate(table: "Mapping[str, Any]", path: str, where: str) -> Config:
    from pathlib import Path

    from agentzip.validator.target import MODES, RUNTIMES, parse_glibc

    for key in table:
        if key not in KEYS:
            raise UsageError(f"{where}: unknown key {key!r}{_suggest(str(key), KEYS)}")
    out: dict[str, Any] = {"source": Path(path)}
    if "runtime" in table:
        from agentzip.validator.definition import RETIRED_RUNTIMES

        rt = table["runtime"]
        if isinstance(rt, str) and rt in RETIRED_RUNTIMES:
            raise UsageError(f"{where}: runtime = {rt!r} is not valid; did you mean {RETIRED_RUNTIMES[rt]!r}?")
        out["runtime"] = _choice(where, "runtime", rt, RUNTIMES)
    if "mode" in table:
        out["mode"] = _choice(where, "mode", table["mode"], MODES)
    if "entry-point" in table:
        ep = table["entry-point"]
        ok = (isinstance(ep, str) and ep.strip()) or (
            isinstance(ep, list) and ep and all(isinstance(x, str) and x for x in ep)
        )
        if not ok:
            raise UsageError(f'{where}: entry-point must be a file name or a command, e.g. "main.py"')
        out["entry_point"] = ep
    if "glibc-floor" in table:
        try:
            out["glibc_floor"] = parse_glibc(str(table["glibc-floor"]))
        except ValueError as e:
            raise UsageError(f"{where}: glibc-floor: {e}") from None
    for key in ("select", "ignore"):
        if key in table:
            out[key] = _words(where, key, table[key])
    if "per-path-ignores" in table:
        ppi = table["per-path-ignores"]
        if not isinstance(ppi, Mapping):
            raise UsageError(
                f'{where}: per-path-ignores must be a table of glob = [rules], e.g. "packages/**" = ["AZ3"]'
            )
        out["per_path_ignores"] = {str(g): _words(where, f"per-path-ignores.{g!r}", v) for g, v in ppi.items()}
    if "fail-on" in table:
        out["fail_on"] = _choice(where, "fail-on", table["fail-on"], ("error", "warning", "info"))
    if "size-limit" in table:
        try:
            out["size_limit"] = parse_size(table["size-limit"])
        except ValueError as e:
            raise UsageError(f"{where}: size-limit: {e}") from None
    return Config(**out)
