"""Folders for fuzzing: configs, definitions, ignore files, requirements and special files, mixed."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import strategies as st

_VALUES = [
    "1",
    "-1",
    "0",
    "9" * 310,
    "1e999",
    "nan",
    "inf",
    "'250MiB'",
    "'9999999999999999999999 GiB'",
    "true",
    "[]",
    "['AZ1']",
    "'python_3_13'",
    "'bundled'",
    "{}",
    "'\\u0000'",
    "[" * 40 + "]" * 40,
    "'x'",
]
_KEYS = ["runtime", "mode", "entry-point", "glibc-floor", "select", "ignore", "fail-on", "size-limit", "bogus"]
toml_text = st.lists(
    st.builds(lambda k, v: f"{k} = {v}", st.sampled_from(_KEYS), st.sampled_from(_VALUES)), max_size=4
).map("\n".join)

_YAML_SCALARS = [
    "1",
    "0.5",
    "1e999",
    ".nan",
    "-.inf",
    "'2Gi'",
    "3Gi",
    "~",
    "'main.py'",
    "[a, b]",
    "''",
    '"\\0"',
    "'" + "a" * 300 + "'",
    "*x",
    "&x 1",
    "{a: {b: {c: 1}}}",
]
yaml_scalar = st.one_of(st.sampled_from(_YAML_SCALARS), st.text(max_size=12).map(repr))


@st.composite
def azure_yaml(draw: st.DrawFn) -> str:
    code = (
        f"    codeConfiguration: {{runtime: {draw(yaml_scalar)}, entryPoint: {draw(yaml_scalar)}, "
        f"dependencyResolution: {draw(yaml_scalar)}}}\n"
    )
    env = "".join(f"      K{i}: {draw(yaml_scalar)}\n" for i in range(draw(st.integers(0, 3))))
    project = draw(st.sampled_from([".", "src", "..", "/", '"a\\0b"', "x" * 300, draw(yaml_scalar)]))
    return (
        "services:\n  my-agent:\n    host: azure.ai.agent\n"
        f"    project: {project}\n"
        + code
        + f"    container: {{resources: {{cpu: {draw(yaml_scalar)}, memory: {draw(yaml_scalar)}}}}}\n"
        + ("    env:\n" + env if env else "")
    )


_IGNORE = [
    "*.pyc",
    "!keep.pyc",
    "\\",
    "/",
    "**",
    "**/",
    "*/",
    "a/**/b",
    "[a-",
    "[!x]",
    "#c",
    "\\#",
    "x\\ ",
    "*a*a*a*b",
    "node_modules/",
    "/main.py",
    "packages/**",
]
ignore_text = st.lists(st.one_of(st.sampled_from(_IGNORE), st.text(max_size=10)), max_size=6).map("\n".join)
_REQS = [
    "requests",
    "requests==2.32.3",
    "-r other.txt",
    "-e .",
    "./x.whl",
    "x @ file:///tmp/x",
    "--index-url x",
    "numpy; python_version < '3'",
    "a[b]>=1",
    "\\",
    "'",
    "# c",
    "x" * 200,
    "-c c.txt",
    "git+https://x/y",
]
requirements_text = st.lists(st.one_of(st.sampled_from(_REQS), st.text(max_size=12)), max_size=6).map("\n".join)
python_text = st.sampled_from(
    [
        "import os\n",
        "import yaml\nfrom . import x\n",
        "def f(:\n",
        "x = " + "(" * 200 + ")" * 200 + "\n",
        "import importlib\nimportlib.import_module('a')\n",
        "\ufeffimport sys\n",
        "",
    ]
)

FILES = {
    "agentzip.toml": toml_text.map(str.encode),
    "pyproject.toml": st.one_of(toml_text.map(lambda t: ("[tool.agentzip]\n" + t).encode()), st.just(b"\xff\xfe")),
    "azure.yaml": st.one_of(azure_yaml().map(str.encode), st.binary(max_size=30)),
    ".agentignore": ignore_text.map(str.encode),
    "requirements.txt": requirements_text.map(str.encode),
    "main.py": python_text.map(str.encode),
    "pkg/mod.py": python_text.map(str.encode),
    "packages/x-1.0.dist-info/METADATA": st.sampled_from([b"Name: x\nVersion: 1.0\n", b"", b"\xff"]),
    "x-1.0-py3-none-any.whl": st.sampled_from([b"", b"PK\x05\x06" + b"\0" * 18, b"not a zip"]),
}


@st.composite
def folders(draw: st.DrawFn) -> tuple[dict[str, bytes], list[str]]:
    """Files by path, and the paths to create as FIFOs instead."""
    names = draw(st.lists(st.sampled_from(sorted(FILES)), unique=True, max_size=6))
    files = {n: draw(FILES[n]) for n in names}
    fifos = draw(
        st.lists(st.sampled_from(["requirements.txt", "main.py", "x.py", "METADATA", "y.whl"]), max_size=2, unique=True)
    )
    return files, [f for f in fifos if f not in files] if hasattr(os, "mkfifo") else []


def write(root: Path, files: dict[str, bytes], fifos: list[str]) -> Path:
    (root / ".git").mkdir(parents=True)
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    for name in fifos:
        os.mkfifo(root / name)
    return root
