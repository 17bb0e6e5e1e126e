"""Project-name normalization (PEP 503) without packaging.utils, whose import pulls in packaging.tags."""

from __future__ import annotations

import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NewType

    # The same idea as packaging.utils.NormalizedName: a str known to have gone through canonicalize_name.
    NormalizedName = NewType("NormalizedName", str)
else:
    NormalizedName = str  # what NewType gives at run time is the identity; the plain type costs no typing import

_SEPARATORS = re.compile(r"[-_.]+")


def canonicalize_name(name: str) -> NormalizedName:
    """`Foo.Bar_baz` -> `foo-bar-baz`: runs of `-`, `_`, `.` become one `-`, then lowercase (PEP 503).

    packaging.utils.canonicalize_name gives the same result (a property test holds the two equal);
    importing it costs packaging.tags, and with it logging, platform, subprocess and sysconfig.
    """
    return NormalizedName(_SEPARATORS.sub("-", name).lower())
