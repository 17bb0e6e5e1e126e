"""Definition rules (AZ7xx): what azure.yaml, agent.yaml or the metadata JSON say, checked before upload."""

from __future__ import annotations

import re
from collections.abc import Iterator

from agentzip.foundry import INJECTED_ENV as INJECTED
from agentzip.foundry import RESERVED_ENV_PREFIXES as RESERVED_PREFIXES
from agentzip.validator.context import Context
from agentzip.validator.definition import AZURE_YAML, RETIRED_RUNTIMES, Definition
from agentzip.validator.findings import Hit, Severity
from agentzip.validator.registry import rule
from agentzip.validator.target import MODES, RUNTIMES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from decimal import Decimal

# CPU range: 0.5-3.5 is accepted by every source; 0.25 and 3.75-4.0 only by some (FOUNDRY.md).
# Decimal strings: the decimal module loads only for a definition that sets cpu or memory.
CPU_STEP = "0.25"
# Beyond these a value is not a tier but a typo or a hostile file; Decimal arithmetic on 1e999
# or NaN raises instead of comparing, so such values are refused before any arithmetic.
MAGNITUDE = 10**6
MAX_NUMBER = 40
CPU_MIN, CPU_MAX = "0.25", "4"
CPU_SAFE_MIN, CPU_SAFE_MAX = "0.5", "3.5"
_MEMORY = r"^\s*(\d+(?:\.\d+)?)\s*(Gi|Mi)\s*$"
_NAME = r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$"
NAME_MAX = 63


def _key(d: Definition, camel: str, snake: str) -> str:
    """The key as the user's file spells it."""
    return camel if d.kind == AZURE_YAML else snake


def _num(x: Decimal) -> str:
    return f"{x.normalize():f}"


@rule("AZ701", "unsupported-runtime", Severity.ERROR)
def unsupported_runtime(ctx: Context) -> Iterator[Hit]:
    """The definition names a runtime the service does not accept, or none.

    ## What it does
    Reads the runtime of the agent definition (azure.yaml `codeConfiguration.runtime`,
    agent.yaml or the metadata JSON `code_configuration.runtime`) and fires unless it is
    one of `python_3_13`, `python_3_14` or `dotnet_10`.

    ## Why is this bad
    The service accepts exactly those three values. Older SDK documentation still mentions
    `python_3_11`, `python_3_12`, `dotnet_8` and `dotnet_9`: a definition copied from it is
    rejected at deploy time, after the upload.

    ## Example
    ```yaml
    codeConfiguration: {runtime: python_3_12, entryPoint: main.py}
    ```

    ## How to fix
    Set `runtime: python_3_13` (or `python_3_14`, `dotnet_10`) and check that the bundled
    wheels were built for that Python.
    """
    d = ctx.definition
    if d is None:
        return
    key = _key(d, "codeConfiguration.runtime", "code_configuration.runtime")
    o = d.origin("runtime")
    if d.runtime is None:
        yield Hit(
            d.display,
            f"{key} is not set: the service needs one of {', '.join(RUNTIMES)}",
            f"add `runtime: {ctx.target.runtime}` to the code configuration",
            line=o.line,
        )
        return
    if d.runtime in RUNTIMES:
        return
    import difflib  # only an unknown runtime pays for it

    better = RETIRED_RUNTIMES.get(d.runtime) or next(iter(difflib.get_close_matches(d.runtime, RUNTIMES, n=1)), None)
    why = " (named in older SDK docs, not accepted by the service)" if d.runtime in RETIRED_RUNTIMES else ""
    yield Hit(
        d.display,
        f"{key} is {d.runtime!r}{why}; the service accepts {', '.join(RUNTIMES)}",
        f"set runtime: {better}" if better else f"set the runtime to one of {', '.join(RUNTIMES)}",
        line=o.line,
    )


def _sane(n: Decimal) -> Decimal | None:
    """A finite number of plausible magnitude, else None: `1e999`, `.nan` and `inf` are not cores."""
    return n if n.is_finite() and abs(n) <= MAGNITUDE else None


def _cpu(text: str) -> Decimal | None:
    from decimal import Decimal, InvalidOperation

    t = text.strip()
    if len(t) > MAX_NUMBER:
        return None
    try:
        if t.endswith("m"):  # Kubernetes millicores, "500m"
            return _sane(Decimal(t[:-1]) / 1000)
        return _sane(Decimal(t))
    except (InvalidOperation, ValueError):
        return None


def _memory_gi(text: str) -> Decimal | None:
    m = re.match(_MEMORY, text) if len(text) <= MAX_NUMBER else None
    if not m:
        return None
    from decimal import Decimal

    n = Decimal(m.group(1))
    return _sane(n if m.group(2) == "Gi" else n / 1024)


@rule("AZ702", "invalid-resource-tier", Severity.ERROR)
def invalid_resource_tier(ctx: Context) -> Iterator[Hit]:
    """The cpu / memory pair is not a resource tier the service accepts.

    ## What it does
    Reads `container.resources` (azure.yaml) or `cpu` / `memory` (metadata JSON) and checks
    that memory is exactly 2 x cpu (`"1"` with `"2Gi"`), that cpu moves in steps of 0.25,
    and that it lies in the accepted range. The edges of that range are disputed between
    sources (0.25-4.0 in the older table and the azure.yaml reference, 0.5-3.5 in Aspire's
    check, azd offers only 0.5, 1 and 2): a value accepted by some sources only is a warning.

    ## Why is this bad
    The deployment is refused with 400 "CPU and Memory must be specified as a valid resource
    tier", after the zip was uploaded.

    ## Example
    ```yaml
    container: {resources: {cpu: '1', memory: 3Gi}}
    ```

    ## How to fix
    Set memory to twice the cpu: `cpu: '1'` with `memory: 2Gi`, `cpu: '2'` with `memory: 4Gi`.
    """
    d = ctx.definition
    if d is None or (d.cpu is None and d.memory is None):
        return
    if d.cpu is None or d.memory is None:
        missing, given = ("cpu", "memory") if d.cpu is None else ("memory", "cpu")
        yield Hit(
            d.display,
            f"{given} is set without {missing}: the service takes the pair together",
            "set both, memory = 2 x cpu: cpu: '1' with memory: 2Gi",
            line=d.origin(given).line,
        )
        return
    from decimal import Decimal

    cpu, mem = _cpu(d.cpu), _memory_gi(d.memory)
    if cpu is None or cpu <= 0:
        yield Hit(
            d.display,
            f"cpu {d.cpu!r} is not a number of cores like '0.5' or '1'",
            "write cpu as a string: cpu: '1'",
            line=d.origin("cpu").line,
        )
        return
    if mem is None:
        yield Hit(
            d.display,
            f"memory {d.memory!r} is not a size in Gi like '2Gi'",
            f"set memory: {_num(cpu * 2)}Gi (twice the cpu)",
            line=d.origin("memory").line,
        )
        return
    if cpu % Decimal(CPU_STEP):
        yield Hit(
            d.display,
            f"cpu {d.cpu} is not a multiple of 0.25 cores",
            "use a cpu of 0.5, 1, 2 (any multiple of 0.25 between 0.5 and 3.5)",
            line=d.origin("cpu").line,
        )
        return
    if mem != cpu * 2:
        yield Hit(
            d.display,
            f"memory {d.memory} with cpu {d.cpu} is not a resource tier: memory must be 2 x cpu ({_num(cpu * 2)}Gi)",
            f"set memory: {_num(cpu * 2)}Gi, or cpu: '{_num(mem / 2)}' for {d.memory}",
            line=d.origin("memory").line,
        )
        return
    if cpu < Decimal(CPU_MIN) or cpu > Decimal(CPU_MAX):
        yield Hit(
            d.display,
            f"cpu {d.cpu} is outside every documented range (at most 0.25-4 cores)",
            "use cpu: '0.5' with memory: 1Gi up to cpu: '3.5' with memory: 7Gi",
            line=d.origin("cpu").line,
        )
    elif cpu < Decimal(CPU_SAFE_MIN) or cpu > Decimal(CPU_SAFE_MAX):
        yield Hit(
            d.display,
            f"cpu {d.cpu} / memory {d.memory} is accepted by some sources only (0.25-4 in one table, 0.5-3.5 in another)",
            "stay within 0.5-3.5 cores to be safe, or ignore this warning once a deploy has succeeded",
            line=d.origin("cpu").line,
            severity=Severity.WARNING,
        )


@rule("AZ703", "dependency-resolution-unset", Severity.WARNING)
def dependency_resolution_unset(ctx: Context) -> Iterator[Hit]:
    """The definition leaves the dependency resolution unset, or sets an unknown value.

    ## What it does
    Fires when the definition has no `dependencyResolution` (azure.yaml) or
    `dependency_resolution` (agent.yaml, metadata JSON), and says which mode agentzip
    checked the bundle against instead. A value other than `remote_build` or `bundled` is
    an error.

    ## Why is this bad
    Sources disagree on the default: the SDK docs say `bundled`, azd says the API rejects an
    empty value. A remote_build bundle deployed as bundled (or the reverse) fails at start-up
    with `ModuleNotFoundError`, so the mode is worth writing down.

    ## Example
    ```yaml
    codeConfiguration: {runtime: python_3_13, entryPoint: main.py}
    ```

    ## How to fix
    Add `dependencyResolution: remote_build` (the service installs requirements.txt) or
    `dependencyResolution: bundled` (dependencies shipped in `packages/`).
    """
    d = ctx.definition
    if d is None:
        return
    key = _key(d, "codeConfiguration.dependencyResolution", "code_configuration.dependency_resolution")
    short = key.rsplit(".", 1)[-1]
    if d.dependency_resolution is None:
        mode = ctx.target.mode or "remote_build"
        where = "inferred from the bundle" if "mode" in ctx.target.inferred else "from flags or config"
        yield Hit(
            d.display,
            f"{key} is not set and sources disagree on the default (SDK docs: bundled; azd: rejected); "
            f"checked as {mode} ({where})",
            f'add "{short}": "{mode}" to code_configuration'
            if d.kind == "metadata"
            else f"add `{short}: {mode}` to the code configuration",
            line=d.origin("dependency_resolution").line,
        )
    elif d.dependency_resolution not in MODES:
        import difflib

        close = difflib.get_close_matches(d.dependency_resolution, MODES, n=1)
        yield Hit(
            d.display,
            f"{key} is {d.dependency_resolution!r}; the service accepts remote_build or bundled",
            f"set {short}: {close[0] if close else 'remote_build'}",
            line=d.origin("dependency_resolution").line,
            severity=Severity.ERROR,
        )


@rule("AZ704", "reserved-env-var", Severity.ERROR)
def reserved_env_var(ctx: Context) -> Iterator[Hit]:
    """The definition sets an environment variable the platform reserves (`FOUNDRY_`, `AGENT_`).

    ## What it does
    Fires for each variable in `env` (azure.yaml) or `environment_variables` (agent.yaml,
    metadata JSON) whose name starts with `FOUNDRY_` or `AGENT_`.

    ## Why is this bad
    The platform reserves both prefixes and injects `FOUNDRY_PROJECT_ENDPOINT`,
    `FOUNDRY_AGENT_ID`, `FOUNDRY_AGENT_NAME`, `FOUNDRY_AGENT_VERSION` and
    `FOUNDRY_AGENT_SESSION_ID` itself: a definition that sets one is rejected or silently
    overridden, and the agent reads a value other than the one configured.

    ## Example
    ```yaml
    env: {FOUNDRY_PROJECT_ENDPOINT: https://example.services.ai.azure.com/api/projects/p}
    ```

    ## How to fix
    Drop the variables the platform injects and read them at run time; rename your own
    (`MY_AGENT_MODEL` instead of `AGENT_MODEL`).
    """
    d = ctx.definition
    if d is None:
        return
    for name in sorted(d.env):
        prefix = next((p for p in RESERVED_PREFIXES if name.upper().startswith(p)), None)
        if prefix is None:
            continue
        o = d.origin(f"env.{name}")
        if name in INJECTED:
            msg = f"{name} is set in the definition, but the platform injects it (the {prefix} prefix is reserved)"
            hint = f"remove {name} from the definition; the runtime sets it"
        else:
            msg = f"{name} uses the reserved {prefix} prefix"
            hint = f"rename it, e.g. APP_{name[len(prefix) :]}, and read that name in the code"
        yield Hit(d.display, msg, hint, line=o.line)


def _words(ep: str | list[str]) -> list[str]:
    return list(ep) if isinstance(ep, list) else ep.split()


@rule("AZ705", "entry-point-form", Severity.ERROR)
def entry_point_form(ctx: Context) -> Iterator[Hit]:
    """The entry point is written in a form the runtime cannot run.

    ## What it does
    Checks the entry point as the definition writes it: azure.yaml's `entryPoint` must be
    one file name (azd adds `python` or `dotnet` itself), `dotnet run` never works, a Python
    entry point cannot start a `dotnet_10` agent nor a `.dll` a Python one. The REST metadata
    wants a list (`["python", "main.py"]`): a plain string there is a warning.

    ## Why is this bad
    The container starts the command as written: `python python main.py` fails at once;
    the .NET runtime image has no SDK, so `dotnet run` fails; a runner that does not match
    the runtime is not in the image. Each shows up only as a failed version after upload.

    ## Example
    ```yaml
    codeConfiguration: {runtime: dotnet_10, entryPoint: dotnet run}
    ```

    ## How to fix
    azure.yaml: `entryPoint: main.py` (or `MyAgent.dll`). REST metadata:
    `"entry_point": ["python", "main.py"]` or `["dotnet", "MyAgent.dll"]`, after
    `dotnet publish -c Release -r linux-x64 --self-contained false`.
    """
    d = ctx.definition
    if d is None or d.entry_point is None:
        return
    line = d.origin("entry_point").line
    words = _words(d.entry_point)
    if not words:
        return
    # An unsupported runtime (AZ701) still says which family was meant: dotnet_8 is .NET.
    runtime = d.runtime or ctx.target.runtime
    shown = " ".join(words)
    if words[0] == "dotnet" and len(words) > 1 and words[1] == "run":
        yield Hit(
            d.display,
            f"entry point `{shown}`: the .NET runtime image has no SDK, so `dotnet run` fails",
            "publish (dotnet publish -c Release -r linux-x64 --self-contained false) and run the dll: MyAgent.dll",
            line=line,
        )
        return
    is_dotnet = runtime.startswith("dotnet")
    py = any(w.endswith(".py") for w in words) or words[0] in ("python", "python3")
    dll = any(w.endswith(".dll") for w in words) or words[0] == "dotnet"
    if is_dotnet and py:
        yield Hit(
            d.display,
            f"entry point `{shown}` runs Python, but the runtime is {runtime}",
            "point the entry point at the published dll (MyAgent.dll), or pick a python runtime",
            line=line,
        )
        return
    if not is_dotnet and dll:
        yield Hit(
            d.display,
            f"entry point `{shown}` runs .NET, but the runtime is {runtime}",
            "set runtime: dotnet_10, or point the entry point at main.py",
            line=line,
        )
        return
    if d.kind == AZURE_YAML and (isinstance(d.entry_point, list) or len(words) > 1):
        file = next((w for w in words if w.endswith((".py", ".dll"))), words[-1])
        form = "a list" if isinstance(d.entry_point, list) else f"the command `{shown}`"
        runner = "dotnet" if is_dotnet else "python"
        yield Hit(
            d.display,
            f"entryPoint is {form}; azure.yaml wants one file name and azd adds `{runner}` itself "
            f"(this would run `{runner} {shown}`)",
            f"entryPoint: {file}",
            line=line,
        )
    elif d.kind == "metadata" and isinstance(d.entry_point, str):
        runner = "dotnet" if is_dotnet else "python"
        as_list = words if len(words) > 1 else [runner, *words]
        yield Hit(
            d.display,
            f"code_configuration.entry_point is the string {d.entry_point!r}; the REST API takes a list",
            '"entry_point": [' + ", ".join(f'"{w}"' for w in as_list) + "]",
            line=line,
            severity=Severity.WARNING,
        )


@rule("AZ706", "invalid-agent-name", Severity.ERROR)
def invalid_agent_name(ctx: Context) -> Iterator[Hit]:
    """The agent name is not alphanumeric with inner hyphens, at most 63 characters.

    ## What it does
    Checks the agent's name (agent.yaml or metadata `name`; for azure.yaml, the service
    name, from which the agent is named) against the platform's rule: letters and digits,
    hyphens only inside, 63 characters at most. Derived from an azure.yaml service name it is
    a warning, since azd may adjust it.

    ## Why is this bad
    The create call is refused, after the zip was uploaded and hashed.

    ## Example
    `name: my_agent` (underscore), `name: -agent`, a 70-character name.

    ## How to fix
    Use letters, digits and inner hyphens: `my-agent`.
    """
    d = ctx.definition
    if d is None or d.name is None:
        return
    name = d.name
    problems = []
    if not re.match(_NAME, name):
        problems.append("only letters, digits and inner hyphens are allowed")
    if len(name) > NAME_MAX:
        problems.append(f"it is {len(name)} characters, over {NAME_MAX}")
    if not problems:
        return
    fixed = re.sub(r"[^A-Za-z0-9-]+", "-", name).strip("-")[:NAME_MAX].strip("-") or "my-agent"
    what = f"service name {name!r} (the agent's name)" if d.kind == AZURE_YAML else f"agent name {name!r}"
    yield Hit(
        d.display,
        f"{what} is not valid: {'; '.join(problems)}",
        f"rename it to {fixed}",
        line=d.origin("name").line,
        severity=Severity.WARNING if d.kind == AZURE_YAML else None,
    )
