"""Secrets shipped with the code (AZ602): `.env` files, private keys, credential files, API keys."""

from __future__ import annotations

import re
from collections.abc import Iterator

from agentzip.errors import ArchiveError
from agentzip.validator.bundle import BundleFile
from agentzip.validator.context import Context
from agentzip.validator.findings import Hit, Severity
from agentzip.validator.registry import rule

_ENV_EXAMPLES = (".example", ".sample", ".template", ".dist", ".defaults")
_KEY_NAMES = ("id_rsa", "id_dsa", "id_ecdsa", "id_ed25519")
_CREDENTIAL_FILES = {
    ".pypirc": "a PyPI upload credential file",
    ".netrc": "a netrc login file",
    ".git-credentials": "git's stored credentials",
    "msal_token_cache.json": "cached Microsoft Entra tokens",
    "msal_token_cache.bin": "cached Microsoft Entra tokens",
    "accessTokens.json": "cached Azure CLI tokens",
}
_BINARY_KEYSTORES = (".pfx", ".p12", ".jks", ".keystore")
TEXT_LIMIT = 64 * 1024  # scan small text files only: secrets live in config, not in data
SCAN_BUDGET = 8 * 1024 * 1024  # bounded work on a pathological bundle
_TEXT_SUFFIXES = (
    ".py",
    ".txt",
    ".json",
    ".yaml",
    ".yml",
    ".toml",
    ".cfg",
    ".ini",
    ".conf",
    ".sh",
    ".ps1",
    ".js",
    ".ts",
    ".md",
    ".properties",
    ".xml",
    ".config",
    ".ipynb",
)
# High-confidence token shapes only: a false error here teaches users to ignore the rule.
# Each shape with the literal text every match contains: a file holding none of a shape's
# markers cannot match it, so the pattern is neither compiled nor run (most files hold none, and
# compiling all ten costs about as much as the rest of a small check's rules).
SECRET_SHAPES: tuple[tuple[str, tuple[bytes, ...], bytes], ...] = (
    (
        "a private key",
        (b"-----BEGIN ",),
        rb"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----",
    ),
    ("an AWS access key", (b"AKIA", b"ASIA"), rb"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    (
        "a GitHub token",
        (b"ghp_", b"gho_", b"ghu_", b"ghs_", b"ghr_", b"github_pat_"),
        rb"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{60,})",
    ),
    (
        "an OpenAI API key",
        (b"sk-",),
        rb"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}|\bsk-proj-[A-Za-z0-9_-]{40,}",
    ),
    ("an Anthropic API key", (b"sk-ant-",), rb"\bsk-ant-[a-z0-9]{2,10}-[A-Za-z0-9_-]{80,}"),
    ("an Azure storage account key", (b"AccountKey=",), rb"AccountKey=[A-Za-z0-9+/]{86}=="),
    ("an Azure shared access key", (b"SharedAccessKey=",), rb"SharedAccessKey=[A-Za-z0-9+/]{42,44}="),
    ("a Slack token", (b"xox",), rb"\bxox[baprs]-[0-9A-Za-z-]{10,}"),
    ("a Google API key", (b"AIza",), rb"\bAIza[0-9A-Za-z_-]{35}\b"),
    ("a Stripe live key", (b"k_live_",), rb"\b[sr]k_live_[0-9a-zA-Z]{24,}"),
)


def find_secret(data: bytes) -> tuple[str, re.Match[bytes]] | None:
    """The first shape (in SECRET_SHAPES order) found in DATA, with its match."""
    for label, markers, pattern in SECRET_SHAPES:
        if any(m in data for m in markers):
            found = re.search(pattern, data)  # re's own cache keeps the compiled pattern
            if found:
                return label, found
    return None


# compiled on the first .env file (re caches it), not by every check
_ASSIGNMENT = rb"(?m)^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(\S.*)$"


def _mask(token: bytes) -> str:
    text = token.decode("ascii", "replace")
    return f"{text[:6]}... ({len(text)} characters)"


def _is_env_file(name: str) -> bool:
    return (name == ".env" or name.startswith(".env.")) and not name.endswith(_ENV_EXAMPLES)


@rule("AZ602", "secret-file", Severity.ERROR)
def secret_file(ctx: Context) -> Iterator[Hit]:
    """Secrets shipped in the bundle: `.env` files, private keys, credential files, API keys.

    ## What it does
    Flags `.env`/`.env.*` files that set values, private keys (found by their PEM header, not
    the file name), key stores (`.pfx`, `.p12`), credential files (`.pypirc`, `.netrc`, token
    caches), NuGet feed passwords in clear text (`ClearTextPassword` in a `nuget.config`) and
    high-confidence secrets (AWS, GitHub, OpenAI, Anthropic, Azure storage, Slack, Google,
    Stripe key shapes) inside the agent's small text files. Installed dependencies in
    `packages/` are not scanned (their test keys are not yours).

    ## Why is this bad
    The zip is stored by the service and readable by anyone who can read the agent version.
    Settings belong in the definition's `environment_variables`, secrets in Key Vault or a
    managed identity.

    ## Example
    `.env` with `OPENAI_API_KEY=sk-proj-...`.

    ## How to fix
    Remove the file from the zip, rotate the key, and pass settings as environment variables of
    the agent definition.
    """
    budget = SCAN_BUDGET
    for f in ctx.index.agent_files:
        name = f.name
        if f.is_symlink:
            continue
        if _is_env_file(name):
            try:
                data = ctx.bundle.read(f, TEXT_LIMIT)
            except ArchiveError:
                data = b""
            keys = [m.group(1).decode("ascii", "replace") for m in re.finditer(_ASSIGNMENT, data)]
            if keys:
                yield Hit(
                    f.path,
                    f"environment file sets {len(keys)} value(s) ({', '.join(keys[:5])}{', ...' if len(keys) > 5 else ''}) and would ship with the code",
                    "remove it from the zip, rotate what it held, and set the values as environment_variables in the agent definition",
                )
            continue
        if name.lower() == "nuget.config":
            hit = _nuget_password(ctx, f)
            if hit is not None:
                yield hit
                continue
        if name in _CREDENTIAL_FILES:
            yield Hit(
                f.path,
                f"{_CREDENTIAL_FILES[name]} would ship with the code",
                "remove it from the zip and rotate what it holds",
            )
            continue
        if name.lower().endswith(_BINARY_KEYSTORES):
            yield Hit(
                f.path,
                "a certificate key store (it usually holds a private key) would ship with the code",
                "remove it from the zip; load certificates from Key Vault",
            )
            continue
        textual = (
            name.lower().endswith(_TEXT_SUFFIXES)
            or "." not in name
            or name in _KEY_NAMES
            or name.endswith((".pem", ".key"))
        )
        if not textual or f.size > TEXT_LIMIT or f.size == 0 or budget <= 0:
            continue
        try:
            data = ctx.bundle.read(f, TEXT_LIMIT)
        except ArchiveError:
            continue
        budget -= len(data)
        secret = find_secret(data)
        if secret is not None:
            label, m = secret
            line = data.count(b"\n", 0, m.start()) + 1
            shown = "" if label == "a private key" else f": {_mask(m.group(0))}"
            yield Hit(
                f.path,
                f"{label} at line {line}{shown}",
                "remove it from the file, rotate it, and read it from an environment variable or Key Vault",
            )


def _nuget_password(ctx: Context, f: BundleFile) -> Hit | None:
    """A `nuget.config` with a `ClearTextPassword` under packageSourceCredentials, as NuGet reads it."""
    from agentzip.validator.dotnet import XML_LIMIT, read_nuget_config

    try:
        data = ctx.bundle.read(f, XML_LIMIT + 1)
    except ArchiveError:
        return None
    feeds = read_nuget_config(f.path, data).cleartext_passwords
    if not feeds:
        return None
    return Hit(
        f.path,
        f"a NuGet feed password in clear text ({', '.join(feeds)}) would ship with the code",
        "remove its <packageSourceCredentials>, revoke the token, and build bundled "
        "(the service's restore cannot sign in to a private feed)",
    )
