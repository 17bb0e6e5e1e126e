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

try:  # the C descriptor collections.namedtuple uses for the fields
    from _collections import _tuplegetter  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - an interpreter without it, as collections itself falls back
    from operator import itemgetter

    def _tuplegetter(index: int, doc: str) -> property:
        return property(itemgetter(index), doc=doc)


from keyword import iskeyword

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
    """A named tuple class carrying its field types, as typing._make_nmtuple makes it."""
    types = dict(fields)
    cls = namedtuple(typename, list(types), tuple(defaults), module)
    cls.__annotations__ = types
    cls.__new__.__annotations__ = types
    return cls


_MISSING = object()


def namedtuple(typename: str, field_names: list[str], defaults: tuple[Any, ...], module: str) -> type:
    """collections.namedtuple(typename, field_names, defaults=defaults, module=module), without its eval.

    collections compiles a `lambda` per class for `__new__` (its named parameters): ~0.3M
    instructions per class, and a check defines 30 to 50 named tuples at start-up, a twentieth of a
    small check. Here `__new__` binds its arguments itself: a call with every field positional (how
    records are built) goes straight to tuple.__new__; keywords and defaults are bound as Python
    binds them, with the same TypeErrors. Everything else is collections.namedtuple's own code.
    """
    fields = tuple(sys.intern(str(n)) for n in field_names)
    typename = sys.intern(str(typename))
    _validate(typename, fields, defaults)
    count, first_default = len(fields), len(fields) - len(defaults)
    field_defaults = dict(zip(fields[first_default:], defaults, strict=True))
    position = {name: i for i, name in enumerate(fields)}
    tuple_new = tuple.__new__
    arg_list = ", ".join(fields) + ("," if len(fields) == 1 else "")  # collections' spelling: a tuple
    repr_fmt = "(" + ", ".join(f"{name}=%r" for name in fields) + ")"

    def __new__(_cls: type, *args: Any, **kwargs: Any) -> Any:
        if not kwargs and len(args) == count:
            return tuple_new(_cls, args)
        return tuple_new(_cls, _bind(typename, fields, position, defaults, first_default, args, kwargs))

    def _make(cls: type, iterable: Iterable[Any]) -> Any:
        result: Any = tuple_new(cls, iterable)
        if len(result) != count:
            raise TypeError(f"Expected {count} arguments, got {len(result)}")
        return result

    def _replace(self: Any, /, **kwds: Any) -> Any:
        result = self._make(map(kwds.pop, fields, self))
        if kwds:
            raise ValueError(f"Got unexpected field names: {list(kwds)!r}")
        return result

    def __repr__(self: Any) -> str:
        text: str = self.__class__.__name__ + repr_fmt % self
        return text

    def _asdict(self: Any) -> dict[str, Any]:
        return dict(zip(self._fields, self, strict=True))

    def __getnewargs__(self: Any) -> tuple[Any, ...]:
        return tuple(self)

    __new__.__doc__ = f"Create new instance of {typename}({arg_list})"
    _make.__doc__ = f"Make a new {typename} object from a sequence or iterable"
    _replace.__doc__ = f"Return a new {typename} object replacing specified fields with new values"
    __repr__.__doc__ = "Return a nicely formatted representation string"
    _asdict.__doc__ = "Return a new dict which maps field names to their values."
    __getnewargs__.__doc__ = "Return self as a plain tuple.  Used by copy and pickle."
    for method in (__new__, _make, _replace, __repr__, _asdict, __getnewargs__):
        method.__qualname__ = f"{typename}.{method.__name__}"
    namespace: dict[str, Any] = {
        "__doc__": f"{typename}({arg_list})",
        "__slots__": (),
        "_fields": fields,
        "_field_defaults": field_defaults,
        "__new__": __new__,
        "_make": classmethod(_make),
        "_replace": _replace,
        "__repr__": __repr__,
        "_asdict": _asdict,
        "__getnewargs__": __getnewargs__,
        "__match_args__": fields,
    }
    for index, name in enumerate(fields):
        namespace[name] = _tuplegetter(index, sys.intern(f"Alias for field number {index}"))
    cls = type(typename, (tuple,), namespace)
    cls.__module__ = module
    return cls


def _validate(typename: str, fields: tuple[str, ...], defaults: tuple[Any, ...]) -> None:
    """collections.namedtuple's checks of the names and defaults, with its messages."""
    seen: set[str] = set()
    for name in (typename, *fields):
        if not name.isidentifier() or iskeyword(name):
            raise ValueError(f"Type names and field names must be valid identifiers: {name!r}")
    for name in fields:
        if name.startswith("_"):
            raise ValueError(f"Field names cannot start with an underscore: {name!r}")
        if name in seen:
            raise ValueError(f"Encountered duplicate field name: {name!r}")
        seen.add(name)
    if len(defaults) > len(fields):
        raise TypeError("Got more default values than field names")


def _bind(
    typename: str,
    fields: tuple[str, ...],
    position: dict[str, int],
    defaults: tuple[Any, ...],
    first_default: int,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> list[Any]:
    """The field values of a call with keywords or defaults, bound as Python binds a signature."""
    where = f"{typename}.__new__()"
    values = [*args[: len(fields)], *[_MISSING] * (len(fields) - len(args))]
    for key, value in kwargs.items():  # keywords first, as CPython binds them
        i = position.get(key)
        if i is None:
            raise TypeError(f"{where} got an unexpected keyword argument {key!r}")
        if values[i] is not _MISSING:
            raise TypeError(f"{where} got multiple values for argument {key!r}")
        values[i] = value
    if len(args) > len(fields):
        most = len(fields) + 1
        takes = f"from {first_default + 1} to {most}" if first_default < len(fields) else str(most)
        s = "" if takes == "1" else "s"
        raise TypeError(f"{where} takes {takes} positional argument{s} but {len(args) + 1} were given")
    missing = [fields[i] for i in range(len(args), first_default) if values[i] is _MISSING]
    if missing:
        quoted = [repr(m) for m in missing]
        names = (
            quoted[0]
            if len(quoted) == 1
            else f"{', '.join(quoted[:-1])}{',' if len(quoted) > 2 else ''} and {quoted[-1]}"
        )
        s = "s" if len(missing) > 1 else ""
        raise TypeError(f"{where} missing {len(missing)} required positional argument{s}: {names}")
    for i in range(max(len(args), first_default), len(fields)):
        if values[i] is _MISSING:
            values[i] = defaults[i - first_default]
    return values


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
