"""`pip check` for the target: markers, extras and specifiers against what was bundled."""

from collections.abc import Iterable, Mapping

from agentzip.records import NamedTuple
from agentzip.validator.projectname import canonicalize_name

TYPE_CHECKING = False
if TYPE_CHECKING:  # the METADATA reader loads only when a bundle has distributions
    from packaging.markers import Marker

    from agentzip.validator.distributions import Distribution
    from agentzip.validator.memo import Memo
    from agentzip.validator.plainrequirement import RequirementLike


def applies(marker: "Marker | None", env: Mapping[str, str], extras: Iterable[str] = ()) -> bool:
    """True when the marker holds on the target for the base install or any active extra.

    A marker that cannot be evaluated counts as false: a dependency we cannot prove is needed
    is never reported as missing.
    """
    if marker is None:
        return True
    from packaging.markers import UndefinedComparison, UndefinedEnvironmentName  # loaded with the marker

    for extra in ("", *extras):
        try:
            if marker.evaluate({**env, "extra": extra}):
                return True
        except (UndefinedComparison, UndefinedEnvironmentName, ValueError, TypeError):
            return False
    return False


def holds(
    req: "RequirementLike", env: Mapping[str, str], extras: Iterable[str] = (), answers: "Memo | None" = None
) -> bool:
    """applies() for a requirement: a remembered answer for a METADATA or requirements.txt line,
    packaging's Marker for anything else (`answers`: the memo, when the caller has it at hand)."""
    from agentzip.validator.memo import MemoRequirement, memo
    from agentzip.validator.plainrequirement import PlainRequirement

    if isinstance(req, PlainRequirement):
        return True
    if isinstance(req, MemoRequirement):
        return req.marker_text is None or (answers or memo()).holds(req.marker_text, env, extras)
    return applies(req.marker, env, extras)


def satisfied_by(req: "RequirementLike", dist: "Distribution", answers: "Memo | None" = None) -> bool:
    """True when the distribution's version is in the requirement's specifier (pre-releases too,
    as pip check counts them); an unparseable version is dist-info-broken's business, not ours."""
    from agentzip.validator.memo import memo
    from agentzip.validator.plainrequirement import spec_text

    text = spec_text(req)
    if text is not None:
        return not text or (answers or memo()).fits(text, dist.version) is not False
    if not req.specifier:
        return True
    version = dist.parsed_version
    return version is None or req.specifier.contains(version, prereleases=True)


def by_name(distributions: Iterable["Distribution"]) -> dict[str, list["Distribution"]]:
    out: dict[str, list[Distribution]] = {}
    for d in distributions:
        out.setdefault(d.name, []).append(d)
    return out


def active_extras(
    roots: Iterable["RequirementLike"], distributions: list["Distribution"], env: Mapping[str, str]
) -> dict[str, frozenset[str]]:
    """Canonical name -> the extras something asked for: requirements.txt, then every bundled
    distribution's own Requires-Dist (under its own active extras), until nothing changes."""
    from agentzip.validator.memo import memo

    answers = memo()
    extras: dict[str, set[str]] = {}
    for r in roots:
        if holds(r, env, (), answers):
            extras.setdefault(canonicalize_name(r.name), set()).update(canonicalize_name(e) for e in r.extras)
    changed = True
    while changed:
        changed = False
        for d in distributions:
            mine = extras.get(d.name, set())
            for r in d.requires_dist:
                if not r.extras or not holds(r, env, mine, answers):
                    continue
                want = {canonicalize_name(e) for e in r.extras}
                have = extras.setdefault(canonicalize_name(r.name), set())
                if not want <= have:
                    have |= want
                    changed = True
    return {k: frozenset(v) for k, v in extras.items()}


class Unmet(NamedTuple):
    """A Requires-Dist of a bundled distribution that the bundle does not meet."""

    requirer: "Distribution"
    requirement: "RequirementLike"
    found: tuple["Distribution", ...]  # empty: not bundled at all; else: versions that do not fit

    @property
    def name(self) -> str:
        return canonicalize_name(self.requirement.name)


def unmet_dependencies(
    distributions: list["Distribution"], roots: Iterable["RequirementLike"], env: Mapping[str, str]
) -> list[Unmet]:
    """Every applicable Requires-Dist of every bundled distribution that is missing or unsatisfied."""
    from agentzip.validator.memo import memo

    answers = memo()
    extras = active_extras(roots, distributions, env)
    present = by_name(distributions)
    out: list[Unmet] = []
    for d in distributions:
        mine = extras.get(d.name, frozenset())
        for r in d.requires_dist:
            if not holds(r, env, mine, answers):
                continue
            found = present.get(canonicalize_name(r.name), [])
            if not found or not any(satisfied_by(r, f, answers) for f in found):
                out.append(Unmet(d, r, tuple(found)))
    answers.save()
    return out
