"""`NamedTuple` without `typing`: the class syntax of typing.NamedTuple, built on collections.namedtuple."""

# Importing `typing` costs a pre-commit check several milliseconds of start-up (issue 16), and the
# check path needs nothing from it at run time but NamedTuple. The type checker reads the real one;
# at run time the stand-in below builds the same class typing.NamedTupleMeta builds (CPython 3.10-3.14):
# fields in annotation order, defaults, the class body's methods, properties and docstring, and the
# module/qualname pickling looks up. What it leaves out: the check that each annotation is a type
# (mypy holds that), string annotations compiled to ForwardRefs (the cost this module exists to
# avoid), and Generic named tuples (none here).

from __future__ import annotations

import sys
from collections import namedtuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any
    from typing import NamedTuple as NamedTuple

# Names collections.namedtuple defines that a class body may not replace (typing._prohibited).
_PROHIBITED = frozenset(
    {"__new__", "__init__", "__slots__", "__getnewargs__", "_fields", "_field_defaults", "_make", "_replace"}
    | {"_asdict", "_source"}
)
# Namespace entries the class statement adds that are not the body's own attributes (typing._special,
# with the Python 3.14 names for the lazily evaluated annotations of PEP 649/749).
_SPECIAL = frozenset(
    {"__module__", "__name__", "__annotations__", "__annotate__", "__annotate_func__", "__annotations_cache__"}
)
_VALUE = 1  # annotationlib.Format.VALUE: evaluate the annotations as a class body without PEP 649 would


def _annotations(ns: dict[str, Any]) -> dict[str, Any]:
    """The class body's field annotations, in order: the dict itself, or (3.14) what its annotate function gives."""
    if "__annotations__" in ns:
        return dict(ns["__annotations__"])
    annotate: Callable[[int], dict[str, Any]] | None = ns.get("__annotate__", ns.get("__annotate_func__"))
    return dict(annotate(_VALUE)) if annotate is not None else {}


def _make(typename: str, fields: Iterable[tuple[str, Any]], module: str, defaults: Iterable[Any] = ()) -> type:
    """A collections.namedtuple class carrying its field types, as typing._make_nmtuple makes it."""
    types = dict(fields)
    make: Callable[..., type] = namedtuple  # the type checker reads namedtuple() calls only with literals
    cls = make(typename, list(types), defaults=list(defaults), module=module)
    cls.__annotations__ = types
    cls.__new__.__annotations__ = types
    return cls


def _build(typename: str, ns: dict[str, Any]) -> type:
    """The class for a `class X(NamedTuple):` body (typing.NamedTupleMeta.__new__ without Generic)."""
    types = _annotations(ns)
    default_names: list[str] = []
    for name in types:
        if name in ns:
            default_names.append(name)
        elif default_names:
            s = "s" if len(default_names) > 1 else ""
            raise TypeError(
                f"Non-default namedtuple field {name} cannot follow default field{s} {', '.join(default_names)}"
            )
    cls = _make(typename, types.items(), ns["__module__"], [ns[n] for n in default_names])
    fields = set(types)
    for key, value in ns.items():
        if key in _PROHIBITED:
            raise AttributeError("Cannot overwrite NamedTuple attribute " + key)
        if key in _SPECIAL:
            continue
        if key not in fields:
            setattr(cls, key, value)
        set_name = getattr(type(value), "__set_name__", None)
        if set_name is not None:
            set_name(value, cls, key)
    return cls


class _Meta(type):
    """Turns a `class X(NamedTuple):` statement into the collections.namedtuple class."""

    def __new__(cls, typename: str, bases: tuple[type, ...], ns: dict[str, Any]) -> type:
        if any(b is not _Base for b in bases):
            raise TypeError("can only inherit from a NamedTuple type")
        return _build(typename, ns)


_Base = type.__new__(_Meta, "NamedTuple", (), {})


def _named_tuple(typename: str, fields: Iterable[tuple[str, Any]], /) -> type:
    """The functional form, `NamedTuple("X", [("a", int)])`."""
    module = sys._getframe(1).f_globals.get("__name__", "__main__")
    return _make(typename, fields, module)


def _mro_entries(bases: tuple[Any, ...]) -> tuple[type, ...]:
    return (_Base,)


_named_tuple.__mro_entries__ = _mro_entries  # type: ignore[attr-defined]

if not TYPE_CHECKING:
    NamedTuple = _named_tuple
