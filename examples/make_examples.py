"""Rebuild the example bundles in this folder: `python examples/make_examples.py`.

`broken-agent.zip` carries the mistakes agentzip exists to catch, each once: a `.env` with a
key, a local venv, macOS litter, a raw wheel in packages/, a Windows extension module, a
removed stdlib import and a missing requirement. `good-agent/` is a clean remote_build agent.
The zip is written deterministically (sorted, fixed timestamps) so it only changes when this
script does.
"""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
STAMP = (2025, 1, 1, 0, 0, 0)

MAIN = '''"""A hosted agent that answers with the weather."""
import cgi  # removed from the standard library in Python 3.13

import requests
from azure.ai.agentserver.responses import ResponsesAgentServer

print(cgi, requests, ResponsesAgentServer)
'''


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16
            zf.writestr(info, files[name])
    return buf.getvalue()


def _pe_dll() -> bytes:
    """The first bytes of a 64-bit Windows DLL: what a win_amd64 wheel's .pyd is."""
    dos = bytearray(b"MZ" + b"\0" * 62)
    struct.pack_into("<I", dos, 0x3C, 64)
    # PE signature, COFF header: machine AMD64, characteristics DLL | executable
    coff = b"PE\0\0" + struct.pack("<HHIIIHH", 0x8664, 1, 0, 0, 0, 240, 0x2022)
    return bytes(dos) + coff + b"\0" * 512


def _dist_info(name: str, version: str, tag: str, files: list[str]) -> dict[str, bytes]:
    di = f"packages/{name}-{version}.dist-info"
    meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    wheel = f"Wheel-Version: 1.0\nGenerator: bdist_wheel\nRoot-Is-Purelib: false\nTag: {tag}\n"
    record = "".join(f"{p},,\n" for p in [*files, f"{name}-{version}.dist-info/METADATA"])
    return {f"{di}/METADATA": meta.encode(), f"{di}/WHEEL": wheel.encode(), f"{di}/RECORD": record.encode()}


def broken() -> dict[str, bytes]:
    raw_wheel = _zip(
        {
            "requests/__init__.py": b"",
            "requests-2.32.3.dist-info/METADATA": b"Metadata-Version: 2.1\nName: requests\nVersion: 2.32.3\n",
            "requests-2.32.3.dist-info/WHEEL": b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        }
    )
    files: dict[str, bytes] = {
        "main.py": MAIN.encode(),
        "requirements.txt": b"requests==2.32.3\nazure-ai-agentserver-responses\nmarkupsafe==3.0.2\n",
        ".env": b"OPENAI_API_KEY=sk-proj-" + b"Zx8cV7bN6mQ5wE4rT3yU2iO1pA0sD9fG" * 2 + b"\n",
        ".venv/pyvenv.cfg": b"home = /usr/local/bin\nversion = 3.11.7\n",
        ".venv/lib/python3.11/site-packages/six.py": b"# six\n",
        "__MACOSX/._main.py": b"\0\5\26\7\0\2\0\0Mac OS X        ",
        "packages/requests-2.32.3-py3-none-any.whl": raw_wheel,
        "packages/markupsafe/__init__.py": b"from ._speedups import escape\n",
        "packages/markupsafe/_speedups.cp313-win_amd64.pyd": _pe_dll(),
    }
    files.update(
        _dist_info(
            "MarkupSafe",
            "3.0.2",
            "cp313-cp313-win_amd64",
            ["markupsafe/__init__.py", "markupsafe/_speedups.cp313-win_amd64.pyd"],
        )
    )
    return files


def main() -> None:
    (HERE / "broken-agent.zip").write_bytes(_zip(broken()))
    good = HERE / "good-agent"
    good.mkdir(exist_ok=True)
    (good / "main.py").write_text('"""A minimal hosted agent."""\nimport json\n\nprint(json.dumps({"ok": True}))\n')
    (good / "requirements.txt").write_text("azure-ai-agentserver-responses==2.3.0\n")
    print("wrote", HERE / "broken-agent.zip", "and", good)


if __name__ == "__main__":
    main()
