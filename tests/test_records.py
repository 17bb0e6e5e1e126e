"""agentzip.records.NamedTuple builds the class typing.NamedTuple builds: typing's is the oracle."""

from __future__ import annotations

import copy
import keyword
import pickle
import sys
import types
import typing
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agentzip import records

# Field names as a class body may use them: identifiers, no leading underscore (namedtuple refuses it).
_names = st.lists(
    st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True).filter(lambda n: not keyword.iskeyword(n)),
    min_size=0,
    max_size=6,
    unique=True,
)
_values = st.one_of(st.integers(), st.text(max_size=5), st.none(), st.tuples(st.integers()))
_ANNOTATIONS = ["int", "str", "object", "tuple[int, ...]", "int | None", "list[str]"]


def _source(fields: list[str], annotations: list[str], n_defaults: int) -> str:
    body = ['    """A record for the test."""']
    for i, (name, ann) in enumerate(zip(fields, annotations, strict=True)):
        default = f" = DEFAULTS[{i - (len(fields) - n_defaults)}]" if i >= len(fields) - n_defaults else ""
        body.append(f"    {name}: {ann}{default}")
    body += [
        "    label = 'a class attribute'",
        "    @property",
        "    def size(self):",
        "        return len(self) * 2",
        "    def pair(self, other):",
        "        return (self, other)",
        "    @classmethod",
        "    def empty_fields(cls):",
        "        return cls._fields == ()",
    ]
    return "class Rec(NamedTuple):\n" + "\n".join(body) + "\n"


def _build(named_tuple: object, source: str, defaults: Sequence[object], module: str) -> Any:
    """Runs the class statement in a fresh module registered under `module`, so pickle can find the class."""
    mod = types.ModuleType(module)
    mod.__dict__.update(NamedTuple=named_tuple, DEFAULTS=defaults)
    sys.modules[module] = mod
    # dont_inherit: the class body must not take this file's `from __future__ import annotations`
    exec(compile(source, f"<{module}>", "exec", dont_inherit=True), mod.__dict__)
    return mod.Rec


def _behaviour(cls: Any, values: Sequence[object]) -> dict[str, object]:
    """Everything a caller can observe of the class and one instance, the module name masked."""
    rec = cls(*values)
    again = pickle.loads(pickle.dumps(rec))
    return {
        "fields": cls._fields,
        "defaults": cls._field_defaults,
        "annotations": cls.__annotations__,
        "new_annotations": cls.__new__.__annotations__,
        "doc": cls.__doc__,
        "name": (cls.__name__, cls.__qualname__),
        "bases": cls.__bases__,
        "mro_len": len(cls.__mro__),
        "slots": cls.__slots__,
        "match_args": getattr(cls, "__match_args__", None),
        "repr": repr(rec),
        "tuple": tuple(rec),
        "eq": rec == tuple(rec) and hash(rec) == hash(tuple(rec)) and rec[: len(values)] == tuple(values),
        "asdict": rec._asdict(),
        "replace": tuple(rec._replace(**dict(zip(cls._fields[:1], ["new"], strict=False)))),
        "make": cls._make(iter(tuple(rec))) == rec,
        "pickled": (type(again) is cls, again == rec),
        "copied": copy.copy(rec) == rec and copy.deepcopy(rec) == rec,
        "label": cls.label,
        "size": rec.size,
        "pair": rec.pair(1) == (rec, 1),
        "empty": cls.empty_fields(),
        "getitem": [rec[i] for i in range(len(values))],
        "attrs": [getattr(rec, f) for f in cls._fields],
    }


@given(
    fields=_names,
    data=st.data(),
)
def test_the_stand_in_builds_what_typing_builds(fields: list[str], data: st.DataObject) -> None:
    n = len(fields)
    annotations = data.draw(st.lists(st.sampled_from(_ANNOTATIONS), min_size=n, max_size=n))
    n_defaults = data.draw(st.integers(0, n))
    defaults = data.draw(st.lists(_values, min_size=n_defaults, max_size=n_defaults))
    required = data.draw(st.lists(_values, min_size=n - n_defaults, max_size=n - n_defaults))
    source = _source(fields, annotations, n_defaults)
    ours = _build(records.NamedTuple, source, defaults, "records_probe_ours")
    theirs = _build(typing.NamedTuple, source, defaults, "records_probe_typing")
    assert ours.__module__ == "records_probe_ours" and theirs.__module__ == "records_probe_typing"
    assert _behaviour(ours, required) == _behaviour(theirs, required)
    assert _behaviour(ours, required + defaults) == _behaviour(theirs, required + defaults)
    # too few or too many values fail the same way
    if n - n_defaults > 0:
        with pytest.raises(TypeError):
            ours(*required[:-1])
    with pytest.raises(TypeError):
        ours(*required, *defaults, 0)


def test_string_annotations_stay_strings_and_cost_no_compile() -> None:
    # typing turns "Any" into a ForwardRef (a compile per field); the stand-in keeps the text
    ours = _build(records.NamedTuple, "class Rec(NamedTuple):\n    a: 'Any'\n    b: int = 1\n", [], "records_probe_s")
    assert ours.__annotations__ == {"a": "Any", "b": int}
    assert ours("x") == ("x", 1)


@pytest.mark.parametrize(
    ("body", "error", "message"),
    [
        ("    a: int = 1\n    b: str\n", TypeError, "Non-default namedtuple field b cannot follow default field a"),
        ("    a: int\n    def _asdict(self):\n        return {}\n", AttributeError, "Cannot overwrite NamedTuple"),
        ("    a: int\n    __slots__ = ('x',)\n", AttributeError, "Cannot overwrite NamedTuple attribute __slots__"),
        ("    _a: int\n", ValueError, "Field names cannot start with an underscore"),
    ],
    ids=["default-order", "prohibited-method", "prohibited-slots", "underscore"],
)
def test_bad_class_bodies_fail_as_typing_fails(body: str, error: type[Exception], message: str) -> None:
    source = "class Rec(NamedTuple):\n" + body
    for named_tuple in (records.NamedTuple, typing.NamedTuple):
        with pytest.raises(error, match=message):
            _build(named_tuple, source, [], "records_probe_bad")


def test_other_bases_and_the_functional_form() -> None:
    with pytest.raises(TypeError, match="can only inherit from a NamedTuple"):
        _build(records.NamedTuple, "class Rec(NamedTuple, dict):\n    a: int\n", [], "records_probe_bases")
    Pair = records.NamedTuple("Pair", [("left", int), ("right", str)])
    assert Pair._fields == ("left", "right") and Pair.__annotations__ == {"left": int, "right": str}
    assert Pair.__module__ == __name__ and Pair(1, "x") == (1, "x")


def test_a_subclass_of_a_record_is_an_ordinary_class() -> None:
    rec = _build(records.NamedTuple, "class Rec(NamedTuple):\n    a: int\n", [], "records_probe_sub")

    class Sub(rec):  # type: ignore[misc,valid-type]
        def twice(self) -> int:
            return int(self.a) * 2

    assert Sub(3).twice() == 6 and Sub(3) == (3,) and Sub._fields == ("a",)


def test_the_module_keeps_typing_out() -> None:
    # records itself must not need typing at run time (the point of it); a fresh interpreter tells
    import subprocess

    code = "import sys, agentzip.records; print('typing' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("key", ["__annotate__", "__annotate_func__"])
def test_a_lazily_annotated_body_is_read_through_its_annotate_function(key: str) -> None:
    # Python 3.14 (PEP 649/749): the class namespace holds an annotate function, not __annotations__
    def annotate(format: int) -> dict[str, object]:
        if format != 1:
            raise NotImplementedError
        return {"a": int, "b": str}

    ns = {"__module__": __name__, "__qualname__": "Lazy", key: annotate, "b": "x", "__doc__": "Lazy."}
    cls: Any = records._build("Lazy", ns)
    assert cls._fields == ("a", "b") and cls._field_defaults == {"b": "x"} and cls.__doc__ == "Lazy."
    assert cls.__annotations__ == {"a": int, "b": str} and vars(cls).get(key) is not annotate and cls(1) == (1, "x")


@given(
    n_fields=st.integers(0, 5),
    n_defaults=st.integers(0, 5),
    n_args=st.integers(0, 7),
    kw=st.lists(st.sampled_from(["f0", "f1", "f2", "f3", "f4", "nope"]), max_size=4, unique=True),
)
def test_new_binds_arguments_as_collections_namedtuple_does(
    n_fields: int, n_defaults: int, n_args: int, kw: list[str]
) -> None:
    import collections

    fields = [f"f{i}" for i in range(n_fields)]
    defaults = tuple(range(100, 100 + min(n_defaults, n_fields)))
    theirs = collections.namedtuple("Rec", fields, defaults=defaults, module="m")
    ours = records.namedtuple("Rec", fields, defaults, "m")
    args = tuple(range(n_args))
    kwargs = {k: k.upper() for k in kw}

    def call(cls: Any) -> tuple[str, object]:
        try:
            return "ok", tuple(cls(*args, **kwargs))
        except TypeError as e:
            return "error", str(e)

    assert call(ours) == call(theirs)
    assert ours._field_defaults == theirs._field_defaults and ours.__doc__ == theirs.__doc__
    if n_fields:
        rec = ours(*range(n_fields))
        assert repr(rec) == repr(theirs(*range(n_fields))) and rec._asdict() == dict(
            zip(fields, range(n_fields), strict=True)
        )
        assert ours._make(range(n_fields)) == rec and ours._make(range(n_fields))._replace() == rec
