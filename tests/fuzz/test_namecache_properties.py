"""Property: any bytes in the closure's disk cache are ignored or read as plain data, never a crash."""

from __future__ import annotations

import marshal

from hypothesis import given, settings
from hypothesis import strategies as st

from agentzip.validator import namecache
from tests.fuzz import PROFILE

_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8), st.binary(max_size=8))
_values = st.recursive(_leaf, lambda inner: st.lists(inner, max_size=10).map(tuple), max_leaves=40)
_entries = st.one_of(st.binary(max_size=200), _values.map(marshal.dumps))


@settings(settings.get_profile(PROFILE))
@given(_entries)
def test_any_cache_entry_is_read_or_ignored(data: bytes) -> None:
    names = namecache._unpack(data)
    assert names is None or all(isinstance(n, str) for n in names.defined)
    closure = namecache.unpack_closure(data)
    assert closure is None or all(isinstance(m.line, int) for m in closure.missing)


def test_a_corrupt_length_field_is_never_handed_to_marshal() -> None:
    # marshal would allocate a list of 0x5f000000 slots (gigabytes) before noticing the data ends
    bomb = b"[\x00\x00\x00_"
    assert namecache._unpack(bomb) is None and namecache.unpack_closure(bomb) is None
    assert namecache._unpack(bytes(16) + bomb) is None
