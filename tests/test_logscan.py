"""Import failures are found once each in real-looking logs."""

from __future__ import annotations

from agentzip.logscan import scan

LOG = """\
2026-11-20T10:01:02Z stdout: Starting agent...
Traceback (most recent call last):
  File "/app/main.py", line 3, in <module>
    import yaml
ModuleNotFoundError: No module named 'yaml'
2026-11-20T10:01:09Z stdout: restarting
Traceback (most recent call last):
  File "/app/main.py", line 3, in <module>
    import yaml
ModuleNotFoundError: No module named 'yaml'
  File "/app/packages/azure/identity/__init__.py", line 1, in <module>
ImportError: cannot import name 'DefaultAzureCredential' from 'azure.identity' (/app/azure/identity/__init__.py)
ModuleNotFoundError: No module named "cryptography.hazmat.bindings._rust"
ImportError: libGL.so.1: cannot open shared object file: No such file or directory
ImportError: /lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.34' not found (required by /app/packages/tokenizers/tokenizers.abi3.so)
"""


def test_each_failure_once_in_order() -> None:
    got = [(f.module, f.kind, f.name, f.detail) for f in scan(LOG)]
    assert got == [
        ("yaml", "not-found", None, None),
        ("azure.identity", "cannot-import-name", "DefaultAzureCredential", "/app/azure/identity/__init__.py"),
        ("cryptography.hazmat.bindings._rust", "not-found", None, None),
        ("libGL.so.1", "shared-library", None, "libGL.so.1"),
        ("tokenizers.abi3.so", "glibc", None, "GLIBC_2.34"),
    ]


def test_nothing_in_a_clean_log() -> None:
    assert scan("all good\nListening on 0.0.0.0:8088\n") == []
