"""Context: everything a rule may read (bundle, target, options, definition, the shared Index)."""

from collections.abc import Iterable, Mapping
from functools import cached_property
from types import MappingProxyType

from agentzip.foundry import SIZE_LIMIT
from agentzip.records import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from agentzip.importtest import ImportTest
    from agentzip.validator.bundle import Bundle
    from agentzip.validator.definition import Definition
    from agentzip.validator.index import Index
    from agentzip.validator.target import Target


class Options(NamedTuple):
    """Settings rules read besides the target (from flags or config); never changed once made."""

    size_limit: int = SIZE_LIMIT
    # path globs -> selectors ignored there (config `per-path-ignores`); read-only, so one shared default
    per_path_ignores: Mapping[str, tuple[str, ...]] = MappingProxyType({})
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
    ) -> "Options":
        """Options from optional values: None keeps the default."""
        ppi = MappingProxyType({k: tuple(v) for k, v in (per_path_ignores or {}).items()})
        limit = SIZE_LIMIT if size_limit is None else size_limit
        return cls(size_limit=limit, per_path_ignores=ppi, import_test=import_test, python=python)


class Context:
    """Everything a rule may read. Rules never open files themselves: they ask the bundle.

    Never changed once made (by convention). A plain class: its cached properties need an
    instance __dict__, and a dataclass costs ~1 ms to define at every start-up.
    """

    def __init__(
        self,
        bundle: "Bundle",
        target: "Target",
        options: Options | None = None,
        definition: "Definition | None" = None,
    ) -> None:
        self.bundle = bundle
        self.target = target
        self.options = Options() if options is None else options
        # azure.yaml / agent.yaml / metadata JSON; None when the user has none (AZ7xx rules then stay quiet)
        self.definition = definition

    def __repr__(self) -> str:
        return f"Context(bundle={self.bundle!r}, target={self.target!r}, options={self.options!r})"

    @cached_property
    def index(self) -> "Index":
        from agentzip.validator.index import Index

        return Index(self.bundle, self.target, self.options.size_limit)

    @cached_property
    def import_test(self) -> "ImportTest | None":
        """The real interpreter's verdict on the entry point's imports; None unless asked for."""
        if not self.options.import_test:
            return None
        from agentzip.importtest import run

        return run(self, python=self.options.python)
