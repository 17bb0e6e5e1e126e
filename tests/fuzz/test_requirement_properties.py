"""Properties: the plain requirement reader, the PEP 503 name and the word splitter agree with packaging and shlex."""

from __future__ import annotations

import shlex

from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name as packaging_canonicalize_name

from agentzip.validator import requirements
from agentzip.validator.plainrequirement import read_plain, specifier_clauses
from agentzip.validator.projectname import canonicalize_name
from tests.fuzz import PROFILE

# Each example costs microseconds: many more of them than the whole-bundle properties run.
_MANY = settings(settings.get_profile(PROFILE), max_examples=1000)

_ws = st.sampled_from(["", "", " ", "\t", "  "])
_names = st.one_of(
    st.from_regex(r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,5}[A-Za-z0-9])?", fullmatch=True),
    st.text(alphabet="aZ09._-", max_size=5),
)
_ops = st.sampled_from(["~=", "==", "!=", "<=", ">=", "<", ">", "===", "=", "~", "", "=>"])
_versions = st.one_of(
    st.from_regex(r"[0-9]{1,3}(?:\.[0-9]{1,3}){0,3}(?:\.\*)?", fullmatch=True),
    st.text(alphabet="0123456789.*+abcrv-_", max_size=8),
)
_clauses = st.builds(lambda a, op, b, v: a + op + b + v, _ws, _ops, _ws, _versions)
_extras = st.one_of(
    st.just(""),
    st.builds(lambda a, es, b: f"[{a}{','.join(es)}{b}]", _ws, st.lists(_names, max_size=3), _ws),
)
_tails = st.sampled_from(["", "", "", " ", ";", ' ; python_version < "3.14"', " @ https://h/x.whl", ")", "(", ","])
_grammar = st.builds(
    lambda name, w1, extras, w2, clauses, sep, tail: name + w1 + extras + w2 + sep.join(clauses) + tail,
    _names,
    _ws,
    _extras,
    _ws,
    st.lists(_clauses, max_size=3),
    st.sampled_from([",", ", ", " ,", ",,", " "]),
    _tails,
)
# the same version spelled twice (`>=1,>=1.0`): packaging keeps one of them
_twice = st.builds(
    lambda name, op, v, zeros: f"{name}{op}{v},{op}{v}{zeros}",
    _names,
    _ops,
    st.from_regex(r"[0-9]{1,2}(?:\.[0-9]){0,2}", fullmatch=True),
    st.sampled_from(["", ".0", ".0.0"]),
)
_lines = st.one_of(_grammar, _twice, st.text(alphabet="aZ09._-[], \t=<>!~*;@()+", max_size=30))


@_MANY
@given(_lines)
def test_a_plain_line_means_what_packaging_reads(line: str) -> None:
    plain = read_plain(line)
    if plain is None:
        return  # packaging reads it, as before: same requirement, same problem text
    req = Requirement(line)  # raises if the plain reader accepted something invalid
    assert (plain.name, set(plain.extras), plain.url, plain.marker) == (req.name, req.extras, None, None)
    assert (req.url, req.marker) == (None, None)
    assert str(plain.specifier) == str(req.specifier) and plain.specifier == req.specifier
    assert str(plain) == str(req)
    assert set(specifier_clauses(plain)) == set(specifier_clauses(req))


@_MANY
@given(_lines)
def test_every_line_reads_as_packaging_reads_it(line: str) -> None:
    got, problem = requirements.parse_requirement(line)
    try:
        want = Requirement(line)
    except InvalidRequirement as e:
        assert (got, problem) == (None, str(e).splitlines()[0])
        return
    assert problem is None and got is not None
    assert (got.name, set(got.extras), got.url, str(got.marker), str(got)) == (
        want.name,
        want.extras,
        want.url,
        str(want.marker),
        str(want),
    )


@_MANY
@given(st.one_of(st.text(), _names, st.text(alphabet="aZ09._-İK\u212a ", max_size=12)))
def test_project_names_normalize_as_packaging_does(name: str) -> None:
    assert canonicalize_name(name) == packaging_canonicalize_name(name)


def _shlex_always(text: str) -> list[str]:
    """The splitter before: shlex on every line up to its limit, str.split past it or on an unclosed quote."""
    if len(text) > requirements._SHLEX_LIMIT:
        return text.split()
    try:
        return shlex.split(text, posix=True)
    except ValueError:
        return text.split()


@_MANY
@given(st.one_of(st.text(), st.text(alphabet="ab-=# \t'\"\\\x0b\x0c\xa0\u2003\r\n", max_size=20)))
def test_words_split_as_shlex_splits_them(text: str) -> None:
    assert requirements.split_words(text) == _shlex_always(text)
