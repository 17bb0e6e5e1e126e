"""packaging's answers about Requires-Dist lines, versions and markers, remembered across runs.

A bundle's dist-info folders hold a few hundred Requires-Dist lines. Reading them with packaging
costs its import (requirements, markers, specifiers, tags, and with them logging and subprocess:
about four times `python -c pass`) and a parse per line, on every run of a pre-commit hook,
although packages/ rarely changes between two commits. Every answer here is packaging's own,
worked out on a miss and kept in one sealed entry of the disk cache (namecache.DiskCache); a
check that asks only what an earlier run asked imports no packaging module at all.

The questions: how packaging reads a Requires-Dist line (or why it refuses it), whether a version
is valid, how it spells a specifier, whether a version fits a specifier (pre-releases included, as
`pip check` counts them), whether a marker holds on the target for the base install or any of a
set of extras. A marker that reads the build host (`platform_release`, `platform_version`) is
evaluated every time, never remembered.
"""

import marshal
import os
from collections.abc import Iterable, Mapping

from agentzip.validator.projectname import canonicalize_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from packaging.markers import Marker
    from packaging.specifiers import SpecifierSet
    from packaging.version import Version

    from agentzip.validator.namecache import DiskCache

LIMIT = 512 << 10  # bytes of the entry; past it, the next save keeps only this process's answers
MAX_ANSWERS = 100_000  # held in memory at most
_HOST_KEYS = ("platform_release", "platform_version")  # the build host's values: never remembered


class MemoRequirement:
    """A requirement line as packaging reads it, held as text: packaging's objects are built only
    when something asks for them (a message, explain); the dependency check's questions go to
    the memo (`holds`, `fits`)."""

    __slots__ = ("_marker", "_specifier", "extras", "line", "marker_text", "name", "spec_text", "text", "url")

    def __init__(
        self,
        name: str,
        extras: frozenset[str],
        url: str | None,
        spec_text: str,
        marker_text: str | None,
        text: str,
        line: str = "",
    ) -> None:
        self.name = name
        self.extras = extras
        self.url = url
        self.spec_text = spec_text  # str(SpecifierSet): "" when the line has none
        self.marker_text = marker_text  # str(Marker), or None
        self.text = text  # str(Requirement): packaging's spelling of the whole line
        self.line = line or text  # the line as written (what the memo is keyed on)
        self._specifier: SpecifierSet | None = None
        self._marker: Marker | None = None

    @property
    def specifier(self) -> "SpecifierSet":
        if self._specifier is None:
            from packaging.specifiers import SpecifierSet

            self._specifier = SpecifierSet(self.spec_text)
        return self._specifier

    @property
    def marker(self) -> "Marker | None":
        if self.marker_text is None:
            return None
        if self._marker is None:
            from packaging.markers import Marker

            self._marker = Marker(self.marker_text)
        return self._marker

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"<Requirement({self.text!r})>"

    def _key(self) -> tuple[object, ...]:
        extras = frozenset(map(canonicalize_name, self.extras))
        return canonicalize_name(self.name), extras, self.spec_text, self.url, self.marker_text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MemoRequirement) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())


class Memo:
    """The answers, loaded from the disk cache on first use; `save` writes them back when new ones came."""

    def __init__(self, settings: tuple[str | None, ...], disk: "DiskCache | None") -> None:
        self.settings = settings  # the variables that chose the cache folder (namecache.cache_dir)
        self.disk = disk
        self._answers: dict[tuple[str, ...], object] | None = None
        self._used: set[tuple[str, ...]] = set()
        self._new = False
        self._reqs: dict[str, MemoRequirement] = {}
        self._env: Mapping[str, str] | None = None
        self._env_key = ""  # one object per line: a line repeats across distributions

    def _all(self) -> dict[tuple[str, ...], object]:
        if self._answers is None:
            self._answers = _load(self.disk)
        return self._answers

    def _get(self, key: tuple[str, ...]) -> object:
        answers = self._all()
        self._used.add(key)
        return answers.get(key, _MISSING)

    def _put(self, key: tuple[str, ...], value: object) -> None:
        answers = self._all()
        if len(answers) >= MAX_ANSWERS:  # a long-lived process checking bundle after bundle
            answers.clear()
            self._reqs.clear()
        answers[key] = value
        self._new = True

    def requirement(self, line: str) -> MemoRequirement | str:
        """The Requires-Dist line as packaging reads it, or packaging's reason (its message) to refuse it."""
        req = self._reqs.get(line)
        if req is not None:
            return req
        got = self._get(("r", line))
        if not _is_read(got):
            got = _read_requirement(line)
            self._put(("r", line), got)
        if isinstance(got, str):
            return got
        assert isinstance(got, tuple)
        name, extras, url, spec, marker, text = got
        req = self._reqs[line] = MemoRequirement(name, frozenset(extras), url, spec, marker, text, line)
        return req

    def valid_version(self, text: str) -> bool:
        """True when packaging reads the text as a PEP 440 version."""
        got = self._get(("v", text))
        if type(got) is not bool:
            got = _parse_version(text) is not None
            self._put(("v", text), got)
        return got

    def specifier(self, text: str) -> str | None:
        """packaging's spelling of a specifier set (Requires-Python), or None when it is invalid."""
        got = self._get(("s", text))
        if got is not None and type(got) is not str:
            from packaging.specifiers import InvalidSpecifier, SpecifierSet

            try:
                got = str(SpecifierSet(text))
            except InvalidSpecifier:
                got = None
            self._put(("s", text), got)
        return got

    def fits(self, spec: str, version: str) -> bool | None:
        """Whether the version is in the specifier set, pre-releases counted; None for a version packaging refuses."""
        got = self._get(("f", spec, version))
        if got is not None and type(got) is not bool:
            parsed = _parse_version(version)
            if parsed is None:
                got = None
            else:
                from packaging.specifiers import SpecifierSet

                got = SpecifierSet(spec).contains(parsed, prereleases=True)
            self._put(("f", spec, version), got)
        return got

    def holds(self, marker: str, env: Mapping[str, str], extras: Iterable[str] = ()) -> bool:
        """depcheck.applies for a marker's text: true for the base install or any extra; false when
        the marker cannot be evaluated. Extras are tried in sorted order, so the answer is stable."""
        order = sorted(extras)
        if any(k in marker for k in _HOST_KEYS):
            return _holds(marker, env, order)
        if env is not self._env:  # one environment per check: its key is worked out once
            self._env, self._env_key = env, env_key(env)
        key = ("m", marker, self._env_key, *order)
        got = self._get(key)
        if type(got) is not bool:
            got = _holds(marker, env, order)
            self._put(key, got)
        return got

    def save(self) -> None:
        """Write the answers back when this run added some (only those this process used, past LIMIT)."""
        if not self._new or self.disk is None or self.disk.folder is None or self._answers is None:
            return
        from agentzip.validator.namecache import seal

        payload = marshal.dumps(self._answers)
        if len(payload) > LIMIT:
            self._answers = {k: v for k, v in self._answers.items() if k in self._used}
            payload = marshal.dumps(self._answers)
        if len(payload) <= LIMIT:
            self.disk.write(_entry_name(), seal(payload))  # one entry, rewritten in place: nothing to prune
        self._new = False


_MISSING = object()
_memo: Memo | None = None
_env_keys: dict[tuple[tuple[str, str], ...], str] = {}


def memo() -> Memo:
    """The process's memo, for the cache folder in force now (tests turn the cache on and off)."""
    global _memo
    env = os.environ
    settings = (env.get("AGENTZIP_NO_CACHE"), env.get("XDG_CACHE_HOME"), env.get("HOME"))
    if _memo is None or _memo.settings != settings:
        from agentzip.validator.namecache import DiskCache, cache_dir

        folder = cache_dir()
        _memo = Memo(settings, DiskCache(folder) if folder is not None else None)
    return _memo


def save() -> None:
    """Write the process's memo back when it holds new answers (nothing when it was never used)."""
    if _memo is not None:
        _memo.save()


def env_key(env: Mapping[str, str]) -> str:
    """The marker environment, less the build host's values, as one short string."""
    items = tuple(sorted((k, v) for k, v in env.items() if k not in _HOST_KEYS and k != "extra"))
    key = _env_keys.get(items)
    if key is None:
        key = _env_keys[items] = repr(items)
    return key


def _entry_name() -> str:
    from agentzip.validator.namecache import blob_name

    return blob_name("packaging-answers")


def _load(disk: "DiskCache | None") -> dict[tuple[str, ...], object]:
    if disk is None:
        return {}
    from agentzip.validator.namecache import _loads

    data = disk.read(_entry_name())
    try:
        found = _loads(data) if data is not None else None
    except (ValueError, EOFError, TypeError):
        return {}
    return found if isinstance(found, dict) else {}


def _is_read(value: object) -> bool:
    return isinstance(value, str) or (isinstance(value, tuple) and len(value) == 6)


def _read_requirement(line: str) -> tuple[object, ...] | str:
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        r = Requirement(line)
    except InvalidRequirement as e:
        return str(e)
    marker = str(r.marker) if r.marker is not None else None
    return r.name, tuple(sorted(r.extras)), r.url, str(r.specifier), marker, str(r)


def _parse_version(text: str) -> "Version | None":
    from packaging.version import InvalidVersion, Version

    try:
        return Version(text)
    except InvalidVersion:
        return None


def _holds(marker: str, env: Mapping[str, str], extras: list[str]) -> bool:
    """depcheck.applies on the marker's text; a marker packaging cannot read holds nowhere."""
    from packaging.markers import InvalidMarker, Marker

    from agentzip.validator.depcheck import applies

    try:
        return applies(Marker(marker), env, extras)
    except InvalidMarker:
        return False
