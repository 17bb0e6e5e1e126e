"""Log text for `agentzip explain --log`: tracebacks, import errors and noise, mixed."""

from __future__ import annotations

from hypothesis import strategies as st

_LINES = [
    "ModuleNotFoundError: No module named 'yaml'",
    "ModuleNotFoundError: No module named 'a.b.c'",
    "ImportError: cannot import name 'x' from 'y' (/app/y/__init__.py)",
    "ImportError: libGL.so.1: cannot open shared object file: No such file or directory",
    "ImportError: /lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.38' not found",
    "Traceback (most recent call last):",
    '  File "/app/main.py", line 1, in <module>',
    "No module named ''",
    "No module named '" + "a." * 200 + "'",
    "\x1b[31mModuleNotFoundError: No module named 'torch'\x1b[0m",
    "",
]
log_text = st.lists(st.one_of(st.sampled_from(_LINES), st.text(max_size=40)), max_size=12).map("\n".join)
