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
    '  File "/app/packages/numpy/__init__.py", line 119, in <module>',
    '  File "/app/packages/", line 1, in <module>',
    "ImportError: Error importing numpy: you should not try to import numpy from",
    "ValueError: bad input",
    "ImportError: libc.musl-x86_64.so.1: cannot open shared object file: No such file or directory",
    "ImportError: cannot import name 'etree' from 'lxml' (unknown location)",
    "No module named ''",
    "No module named '" + "a." * 200 + "'",
    "\x1b[31mModuleNotFoundError: No module named 'torch'\x1b[0m",
    "",
]
log_text = st.lists(st.one_of(st.sampled_from(_LINES), st.text(max_size=40)), max_size=12).map("\n".join)

_DOTNET_LINES = [
    "You must install or update .NET to run this application.",
    "App: /app/EchoAgent.dll",
    "Framework: 'Microsoft.NETCore.App', version '9.0.0' (x64)",
    "Framework: 'Microsoft.WindowsDesktop.App', version '' (x64)",
    "The application to execute does not exist: '/app/'.",
    "The application to execute does not exist: '/app/a\\\\b/ECHOAGENT.DLL'.",
    "System.DllNotFoundException: Unable to load shared library 'libe_sqlite3.so' or one of its dependencies.",
    "System.DllNotFoundException: Unable to load DLL 'lib' or one of its dependencies.",
    "System.IO.FileNotFoundException: Could not load file or assembly 'A.B, Version=1.0.0.0, Culture=neutral'.",
    "error NU1015: The following PackageReference item(s) do not have a version specified: ;,",
    "error NETSDK1129: you must specify one of the following frameworks in order to publish: net8.0",
    "error NU1101: Unable to find package X. No packages exist with this id in source(s): ",
    "",
]
dotnet_log_text = st.lists(st.one_of(st.sampled_from(_DOTNET_LINES), st.text(max_size=40)), max_size=12).map("\n".join)
