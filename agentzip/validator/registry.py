"""Rule and the @rule decorator: one source of truth per rule; selection by code, name or prefix."""

import re
from collections.abc import Callable, Iterable, Iterator

from agentzip.records import NamedTuple
from agentzip.validator.findings import Hit, Severity

TYPE_CHECKING = False
if TYPE_CHECKING:
    from agentzip.validator.context import Context

RuleFunc = Callable[["Context"], Iterable[Hit]]

_CODE = re.compile(r"^AZ\d{3}$")
_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


class Rule(NamedTuple):
    """A registered check: stable code and name, default severity, docs, and the function."""

    code: str
    name: str
    severity: Severity
    family: str
    summary: str
    docs: str
    func: RuleFunc

    def __call__(self, ctx: "Context") -> Iterable[Hit]:
        return self.func(ctx)


_REGISTRY: dict[str, Rule] = {}

# A rule's family is declared by its code's hundreds digit, never derived from the module that
# holds it: moving a rule between files must not change public output (SARIF, docs, JSON).
FAMILIES: dict[str, str] = {
    "0": "archive",
    "1": "layout",
    "2": "dependencies",
    "3": "binaries",
    "4": "sources",
    "5": "size",
    "6": "hygiene",
    "7": "definition",
    "8": "dotnet",
}


def cleandoc(doc: str) -> str:
    """inspect.cleandoc for docstrings indented with spaces: every rule module runs it at import,
    and importing inspect (with dis and tokenize) costs more than the whole registry."""
    lines = doc.expandtabs().split("\n")
    indents = [len(line) - len(line.lstrip(" ")) for line in lines[1:] if line.lstrip(" ")]
    margin = min(indents, default=0)
    lines = [lines[0].lstrip(" "), *(line[margin:] for line in lines[1:])]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return "\n".join(lines)


def rule(code: str, name: str, severity: Severity) -> Callable[[RuleFunc], RuleFunc]:
    """Register a rule. The docstring's first line is the summary; the rest is its docs page.

    Docstring sections, as ruff's rule pages: "What it does", "Why is this bad", "Example",
    "How to fix".
    """

    def register(func: RuleFunc) -> RuleFunc:
        if not _CODE.match(code) or not _NAME.match(name):
            raise ValueError(f"bad rule id {code} {name}")
        if code in _REGISTRY or any(r.name == name for r in _REGISTRY.values()):
            raise ValueError(f"rule {code} {name} registered twice")
        doc = cleandoc(func.__doc__ or "")
        summary, _, body = doc.partition("\n")
        family = FAMILIES[code[2]]
        _REGISTRY[code] = Rule(code, name, severity, family, summary.strip(), body.strip(), func)
        return func

    return register


def all_rules() -> list[Rule]:
    """Every registered rule, in code order.

    The registry holds what has been registered; the caller loads the rule modules first
    (`agentzip.api.load_rules()`), so the validator never imports the rules above it.
    """
    return sorted(_REGISTRY.values(), key=lambda r: r.code)


def find_rule(key: str) -> Rule | None:
    """A rule by exact code (AZ201) or name (raw-wheel), case-insensitively."""
    key = key.strip()
    for r in all_rules():
        if r.code.lower() == key.lower() or r.name == key.lower():
            return r
    return None


def matches(r: Rule, selector: str) -> bool:
    """True when a --select/--ignore word names this rule: a code, a code prefix, a name, ALL."""
    s = selector.strip()
    if s.upper() == "ALL":
        return True
    if s.upper().startswith("AZ"):
        return r.code.startswith(s.upper())
    return r.name == s.lower()


def unknown_selectors(selectors: Iterable[str]) -> list[str]:
    """The selectors that name no rule (a typo should be an error, not a silent no-op)."""
    rules = all_rules()
    return [s for s in selectors if not any(matches(r, s) for r in rules)]


def select(select: Iterable[str] | None, ignore: Iterable[str] | None) -> Iterator[Rule]:
    """The rules left after --select (default: all) and --ignore."""
    sel = list(select or [])
    ign = list(ignore or [])
    for r in all_rules():
        if sel and not any(matches(r, s) for s in sel):
            continue
        if any(matches(r, s) for s in ign):
            continue
        yield r
