"""Speed of `agentzip build --mode bundled` against the documented pip command alone, warm caches.

    python benchmarks/bench_build.py [--repeat 3]

The input is the sample agent (main.py on azure-ai-agentserver-responses, requirements.txt with it
and azure-identity, plus a .venv/, a .env and __pycache__/ lying around). Both commands run once
to warm the caches, then `--repeat` times each, alternating, in fresh processes; the medians are
compared. pip does less (no zip, no check), so the ratio is a ceiling on our overhead.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PY = sys.executable
REQUIREMENTS = "azure-ai-agentserver-responses\nazure-identity\n"
MAIN = (
    "from azure.ai.agentserver.responses import ResponsesAgentServerHost\n"
    "from azure.identity import DefaultAzureCredential\n\n"
    "app = ResponsesAgentServerHost()\n\n"
    "if __name__ == '__main__':\n    app.run()\n"
)
CEILING = 0.5


def make_sample(root: Path) -> Path:
    src = root / "agent"
    (src / ".venv/lib").mkdir(parents=True)
    (src / "__pycache__").mkdir()
    (src / "main.py").write_text(MAIN)
    (src / "requirements.txt").write_text(REQUIREMENTS)
    (src / ".env").write_text("AZURE_CLIENT_SECRET=x\n")
    (src / ".venv/lib/site.py").write_text("")
    (src / "__pycache__/main.cpython-311.pyc").write_bytes(b"\x00")
    return src


def agentzip_build() -> list[str]:
    """`agentzip build` through the CLI group once it is wired, else the builder's command."""
    probe = subprocess.run([PY, "-m", "agentzip", "build", "--help"], capture_output=True, check=False)
    if probe.returncode == 0:
        return [PY, "-m", "agentzip", "build"]
    return [PY, "-c", "from agentzip.builder.command import build_command; build_command()"]


def timed(cmd: list[str], cwd: Path, before: Path | None = None) -> float:
    if before is not None:
        shutil.rmtree(before, ignore_errors=True)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stdout}{proc.stderr}")
    return elapsed


def tree_size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file() and not f.is_symlink())


def doc_zip_size(src: Path, packages: Path, out: Path) -> int:
    """What `zip -r agent-code.zip main.py requirements.txt packages/` would weigh (deflate)."""
    import zipfile

    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in ("main.py", "requirements.txt"):
            zf.write(src / name, name)
        for f in sorted(packages.rglob("*")):
            if f.is_file():
                zf.write(f, "packages/" + f.relative_to(packages).as_posix())
    return out.stat().st_size


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        src = make_sample(root)
        out = root / "agent-code.zip"
        pip_target = root / "pip-packages"
        ours = [*agentzip_build(), str(src), "-o", str(out), "--mode", "bundled", "--quiet"]
        pip = [
            PY,
            "-m",
            "pip",
            "install",
            "-q",
            "-r",
            "requirements.txt",
            "--target",
            str(pip_target),
            "--platform",
            "manylinux2014_x86_64",
            "--python-version",
            "3.13",
            "--implementation",
            "cp",
            "--only-binary=:all:",
        ]
        timed(ours, src)  # warm uv's cache
        timed(pip, src, before=pip_target)  # warm pip's cache
        ours_t: list[float] = []
        pip_t: list[float] = []
        for _ in range(args.repeat):
            ours_t.append(timed(ours, src))
            pip_t.append(timed(pip, src, before=pip_target))
        o, p = statistics.median(ours_t), statistics.median(pip_t)
        zip_size = out.stat().st_size
        pip_tree = tree_size(pip_target)
        pyc = sum(f.stat().st_size for f in pip_target.rglob("*.pyc"))
        print(f"input: sample agent ({REQUIREMENTS.strip().replace(chr(10), ' + ')}), {os.cpu_count()} CPUs")
        print(f"agentzip build --mode bundled  median {o:6.2f} s  runs {', '.join(f'{t:.2f}' for t in ours_t)}")
        print(f"pip install --target (doc)     median {p:6.2f} s  runs {', '.join(f'{t:.2f}' for t in pip_t)}")
        print(f"ratio build / pip              {o / p:6.2f}   (ceiling {CEILING})")
        print(f"agentzip zip                   {zip_size:,} bytes")
        doc_zip = doc_zip_size(src, pip_target, root / "doc.zip")
        print(f"pip --target folder            {pip_tree:,} bytes unzipped, {pyc:,} of them host .pyc")
        print(f"documented zip of that folder  {doc_zip:,} bytes")
        sys.exit(0 if o / p <= CEILING else 1)


if __name__ == "__main__":
    main()
