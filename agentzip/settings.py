"""CheckRequest: what a caller asks of check, explain and build, as one frozen value passed through."""

import os
from collections.abc import Iterable, Mapping
from types import MappingProxyType

from agentzip.records import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["CheckRequest", "Origin"]

# Where a setting came from, for notes and build's summary: "flag", "config", a definition's
# description ("azure.yaml (service a)"), "default" or "inferred".
Origin = str


class CheckRequest(NamedTuple):
    """Settings of one run; None means "from the config, else the definition, else a default or inference".

    Built once at the edge (the CLI's flags, or `api.check(path, **kwargs)`) and never changed:
    a changed copy is made with `_replace` or `with_`. A named tuple, not a dataclass: every check
    defines it at start-up, and a dataclass costs several times as much to define.
    """

    runtime: str | None = None
    mode: str | None = None
    entry_point: str | tuple[str, ...] | None = None  # "main.py", "python main.py" or the words
    glibc_floor: tuple[int, int] | None = None
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    size_limit: int | None = None
    per_path_ignores: Mapping[str, tuple[str, ...]] | None = None  # path glob -> selectors
    fail_on: str | None = None  # "error" | "warning" | "info"
    config: str | os.PathLike[str] | None = None  # a config file; None: the nearest above PATH
    no_config: bool = False
    definition: str | os.PathLike[str] | None = None  # azure.yaml, agent.yaml or metadata JSON
    service: str | None = None  # the azure.yaml agent service
    with_sha256: bool = True  # hash the input for the report (text output does not show it)
    import_test: bool = False  # import the entry point's modules under a real CPython (AZ406)
    python: str | None = None  # the interpreter for the import test; None: found (importtest.py)

    @classmethod
    def make(cls, **kwargs: "Any") -> "CheckRequest":
        """A request from keyword arguments as library users pass them (lists, dicts, paths).

        TypeError for a name that is not a setting, as a function call would raise.
        """
        return cls(**_normalized(kwargs))

    def with_(self, **kwargs: "Any") -> "CheckRequest":
        """A copy with these settings changed (the same normalization and TypeError as `make`)."""
        return self._replace(**_normalized(kwargs)) if kwargs else self


def _words(value: Iterable[str] | None) -> tuple[str, ...] | None:
    return None if value is None else tuple(value)


def _normalized(kwargs: "dict[str, Any]") -> "dict[str, Any]":
    """Lists become tuples and dicts read-only, so a request can be shared safely.

    TypeError for a name that is not a setting (`_replace` alone would raise ValueError).
    """
    unknown = sorted(set(kwargs) - set(CheckRequest._fields))
    if unknown:
        raise TypeError(f"unexpected setting(s): {', '.join(unknown)}")
    out = dict(kwargs)
    for key in ("select", "ignore"):
        if key in out:
            out[key] = _words(out[key])
    ep = out.get("entry_point")
    if ep is not None and not isinstance(ep, str):
        out["entry_point"] = tuple(str(a) for a in ep)
    ppi = out.get("per_path_ignores")
    if ppi is not None:
        out["per_path_ignores"] = MappingProxyType({str(k): tuple(v) for k, v in ppi.items()})
    glibc = out.get("glibc_floor")
    if glibc is not None:
        out["glibc_floor"] = (int(glibc[0]), int(glibc[1]))
    return out
