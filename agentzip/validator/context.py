"""Context: everything a rule may read (bundle, target, options, definition, the shared Index)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING

from agentzip.foundry import SIZE_LIMIT

if TYPE_CHECKING:
    from agentzip.importtest import ImportTest
    from agentzip.validator.bundle import Bundle
    from agentzip.validator.definition import Definition
    from agentzip.validator.index import Index
    from agentzip.validator.target import Target


def _no_ignores() -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType({})


@dataclass(frozen=True)
class Options:
    """Settings rules read besides the target (from flags or config); never changed once made."""

    size_limit: int = SIZE_LIMIT
    # path globs -> selectors ignored there (config `per-path-ignores`)
    per_path_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=_no_ignores)
    import_test: bool = False  # run the bundle under a real interpreter (AZ406, importtest.py)
    python: str | None = None  # that interpreter (--python); None: found as importtest finds one

    @classmethod
    def make(
        cls,
        size_limit: int | None = None,
        per_path_ignores: Mapping[str, Iterable[str]] | None = None,
        *,
        import_test: bool = False,
        python: str | None = None,
    ) -> Options:
        """Options from optional values: None keeps the default."""
        ppi = MappingProxyType({k: tuple(v) for k, v in (per_path_ignores or {}).items()})
        limit = SIZE_LIMIT if size_limit is None else size_limit
        return cls(size_limit=limit, per_path_ignores=ppi, import_test=import_test, python=python)


@dataclass(frozen=True)
class Context:
    """Everything a rule may read. Rules never open files themselves: they ask the bundle."""

    bundle: Bundle
    target: Target
    options: Options = field(default_factory=Options)
    # azure.yaml / agent.yaml / metadata JSON; None when the user has none (AZ7xx rules then stay quiet)
    definition: Definition | None = None

    @cached_property
    def index(self) -> Index:
        from agentzip.validator.index import Index

        return Index(self.bundle, self.target, self.options.size_limit)

    @cached_property
    def import_test(self) -> ImportTest | None:
        """The real interpreter's verdict on the entry point's imports; None unless asked for."""
        if not self.options.import_test:
            return None
        from agentzip.importtest import run

        return run(self, python=self.options.python)
