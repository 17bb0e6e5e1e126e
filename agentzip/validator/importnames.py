"""Import names vs PyPI project names: `import yaml` is installed by PyYAML, `import cv2` by opencv-python."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from agentzip.validator.projectname import NormalizedName, canonicalize_name

# Namespace packages (PEP 420 or pkgutil-style) shared by many projects: the name says nothing
# until the first component past the namespace (`azure.identity` is azure-identity,
# `azure.ai.agentserver.responses` is azure-ai-agentserver-responses).
NAMESPACES: frozenset[str] = frozenset(
    {
        "azure",
        "azure.ai",
        "azure.ai.agentserver",
        "azure.mgmt",
        "azure.storage",
        "azure.keyvault",
        "azure.monitor",
        "azure.search",
        "azure.communication",
        "azureml",
        "google",
        "google.cloud",
        "opentelemetry",
        "opentelemetry.exporter",
        "opentelemetry.exporter.otlp",
        "opentelemetry.exporter.otlp.proto",
        "opentelemetry.instrumentation",
        "backports",
        "jaraco",
        "zope",
        "sphinxcontrib",
        "ruamel",
        "mpl_toolkits",
    }
)
NAMESPACE_ROOTS: frozenset[str] = frozenset(n for n in NAMESPACES if "." not in n)

# Top-level modules a project stopped shipping: module -> (project, the first version without it).
# setuptools 82 removed pkg_resources (checked in its wheels); packages still import it.
DROPPED_MODULES: dict[str, tuple[str, str]] = {"pkg_resources": ("setuptools", "82")}


def dropped_from(module: str) -> tuple[str, str] | None:
    """(project, first version without it) when MODULE's top level is one a project stopped shipping."""
    return DROPPED_MODULES.get(module.partition(".")[0])


# Import names that are not their project's name. Keys may be dotted (the longest prefix wins);
# values are every project commonly installed for that name, the usual one first.
IMPORT_TO_PROJECTS: dict[str, tuple[str, ...]] = {
    "yaml": ("PyYAML",),
    "cv2": ("opencv-python", "opencv-python-headless", "opencv-contrib-python", "opencv-contrib-python-headless"),
    "PIL": ("Pillow", "pillow-simd"),
    "dotenv": ("python-dotenv",),
    "jwt": ("PyJWT",),
    "sklearn": ("scikit-learn",),
    "skimage": ("scikit-image",),
    "bs4": ("beautifulsoup4",),
    "dateutil": ("python-dateutil",),
    "attr": ("attrs",),
    "magic": ("python-magic",),
    "docx": ("python-docx",),
    "pptx": ("python-pptx",),
    "multipart": ("python-multipart",),
    "jose": ("python-jose",),
    "slugify": ("python-slugify",),
    "Crypto": ("pycryptodome",),
    "Cryptodome": ("pycryptodomex",),
    "OpenSSL": ("pyOpenSSL",),
    "nacl": ("PyNaCl",),
    "serial": ("pyserial",),
    "usb": ("pyusb",),
    "socks": ("PySocks",),
    "zmq": ("pyzmq",),
    "websocket": ("websocket-client",),
    "git": ("GitPython",),
    "fitz": ("PyMuPDF",),
    "pymupdf": ("PyMuPDF",),
    "pdfminer": ("pdfminer.six",),
    "psycopg2": ("psycopg2", "psycopg2-binary"),
    "MySQLdb": ("mysqlclient",),
    "dns": ("dnspython",),
    "grpc": ("grpcio",),
    "faiss": ("faiss-cpu", "faiss-gpu"),
    "Levenshtein": ("Levenshtein", "python-Levenshtein"),
    "Bio": ("biopython",),
    "kafka": ("kafka-python",),
    "ldap": ("python-ldap",),
    "umap": ("umap-learn",),
    "speech_recognition": ("SpeechRecognition",),
    "OpenGL": ("PyOpenGL",),
    "wx": ("wxPython",),
    "gi": ("PyGObject",),
    "win32api": ("pywin32",),
    "win32con": ("pywin32",),
    "pythoncom": ("pywin32",),
    "pywintypes": ("pywin32",),
    "pkg_resources": ("setuptools",),
    "_distutils_hack": ("setuptools",),
    "googleapiclient": ("google-api-python-client",),
    "google.protobuf": ("protobuf",),
    "google.auth": ("google-auth",),
    "google.oauth2": ("google-auth",),
    "google.api_core": ("google-api-core",),
    "google.genai": ("google-genai",),
    "google.generativeai": ("google-generativeai",),
    "google.rpc": ("googleapis-common-protos",),
    "google.type": ("googleapis-common-protos",),
    "mpl_toolkits": ("matplotlib",),
    "pylab": ("matplotlib",),
    "ruamel.yaml": ("ruamel.yaml",),
    "typing_extensions": ("typing-extensions",),
    # opentelemetry-api installs the API modules at the namespace's second level
    "opentelemetry.trace": ("opentelemetry-api",),
    "opentelemetry.metrics": ("opentelemetry-api",),
    "opentelemetry.context": ("opentelemetry-api",),
    "opentelemetry.propagate": ("opentelemetry-api",),
    "opentelemetry.propagators": ("opentelemetry-api",),
    "opentelemetry.baggage": ("opentelemetry-api",),
    "opentelemetry.util": ("opentelemetry-api",),
    "opentelemetry.environment_variables": ("opentelemetry-api",),
    "opentelemetry._logs": ("opentelemetry-api",),
    "opentelemetry.semconv": ("opentelemetry-semantic-conventions",),
    "msal_extensions": ("msal-extensions",),
    "pydantic_core": ("pydantic-core",),
    "charset_normalizer": ("charset-normalizer",),
}

# What well-known projects require (Requires-Dist, canonical names), for "a listed project probably
# brings it" when no installed metadata says so (remote_build). Only lasting, unconditional ones.
KNOWN_REQUIRES: dict[str, tuple[str, ...]] = {
    "azure-identity": ("azure-core", "msal", "msal-extensions", "cryptography", "typing-extensions"),
    "azure-ai-projects": ("azure-core", "azure-storage-blob", "isodate", "typing-extensions"),
    "azure-ai-agents": ("azure-core", "isodate", "typing-extensions"),
    "azure-storage-blob": ("azure-core", "cryptography", "isodate", "typing-extensions"),
    "azure-core": ("requests", "typing-extensions"),
    "azure-monitor-opentelemetry": ("azure-core", "azure-monitor-opentelemetry-exporter", "opentelemetry-sdk"),
    "opentelemetry-sdk": ("opentelemetry-api", "opentelemetry-semantic-conventions", "typing-extensions"),
    "agent-framework-core": ("azure-identity", "mcp", "openai", "opentelemetry-api", "opentelemetry-sdk", "pydantic"),
    "openai": ("anyio", "distro", "httpx", "jiter", "pydantic", "sniffio", "tqdm", "typing-extensions"),
    "httpx": ("anyio", "certifi", "httpcore", "idna"),
    "pydantic": ("annotated-types", "pydantic-core", "typing-extensions"),
    "requests": ("certifi", "charset-normalizer", "idna", "urllib3"),
    "mcp": ("anyio", "httpx", "httpx-sse", "pydantic", "pydantic-settings", "starlette", "uvicorn"),
    "fastapi": ("pydantic", "starlette", "typing-extensions"),
    "msal": ("cryptography", "pyjwt", "requests"),
}

_PROJECT_TO_IMPORTS: dict[NormalizedName, tuple[str, ...]] = {}
for _name, _projects in IMPORT_TO_PROJECTS.items():
    for _p in _projects:
        _key = canonicalize_name(_p)
        _PROJECT_TO_IMPORTS[_key] = (*_PROJECT_TO_IMPORTS.get(_key, ()), _name)


def import_key(name: str) -> str:
    """The part of a dotted import that identifies what installs it: `yaml` for `yaml.loader`,
    `azure.identity` for `azure.identity.aio`, `azure.ai.projects` for `azure.ai.projects.models`."""
    parts = name.split(".")
    depth = 1
    while depth < len(parts) and ".".join(parts[:depth]) in NAMESPACES:
        depth += 1
    return ".".join(parts[:depth])


def candidate_projects(name: str) -> tuple[NormalizedName, ...]:
    """Canonical project names that may install a dotted import name, the likeliest first.

    The curated table first (longest dotted prefix), then, inside a namespace, the name's own
    components joined with hyphens from the first that names a project (`azure.identity.aio` ->
    azure-identity, then azure-identity-aio), else the top-level name (`requests.adapters` ->
    requests). A namespace alone (`azure`) names nothing.
    """
    parts = name.split(".")
    out: list[NormalizedName] = []
    for i in range(len(parts), 0, -1):
        projects = IMPORT_TO_PROJECTS.get(".".join(parts[:i]))
        if projects:
            out.extend(canonicalize_name(p) for p in projects)
            break
    if parts[0] in NAMESPACE_ROOTS:
        floor = len(import_key(name).split("."))
        out.extend(canonicalize_name("-".join(parts[:i])) for i in range(floor, len(parts) + 1))
    else:
        out.append(canonicalize_name(parts[0]))
    return tuple(dict.fromkeys(out))


def project_from_records(name: str, records: Iterable[tuple[str, Iterable[str]]]) -> str | None:
    """The project whose RECORD installs the longest prefix of a dotted import, from real metadata.

    `records` pairs a project with its RECORD paths; `azure.identity.aio` matches the project
    whose RECORD has `azure/identity/aio/__init__.py` or, failing that, `azure/identity/__init__.py`.
    A namespace folder alone (no `__init__.py`) matches nothing.
    """
    parts = name.split(".")
    wanted = {}
    for i in range(len(parts), 0, -1):
        base = "/".join(parts[:i])
        wanted[f"{base}/__init__.py"] = wanted[f"{base}.py"] = i
    best: tuple[int, str] | None = None
    for project, paths in records:
        for path in paths:
            depth = wanted.get(path)
            if depth is not None and (best is None or depth > best[0]):
                best = (depth, project)
    return best[1] if best else None


def brought_by(project: str, listed: Iterable[str], requires: Mapping[str, Iterable[str]]) -> str | None:
    """The listed project that requires `project`, directly or through others, or None.

    `requires` maps canonical names to what they require (a bundle's Requires-Dist); the curated
    KNOWN_REQUIRES fills the gaps. Inside the azure and opentelemetry families, any listed member
    is taken to bring the family's core (azure-core, opentelemetry-api).
    """
    target = canonicalize_name(project)
    for start in sorted({canonicalize_name(p) for p in listed}):
        if start == target:
            continue
        if (target, start.split("-", 1)[0]) in (("azure-core", "azure"), ("opentelemetry-api", "opentelemetry")):
            return start
        seen, todo = {start}, [start]
        while todo:
            current = todo.pop()
            for dep in (*requires.get(current, ()), *KNOWN_REQUIRES.get(current, ())):
                dep = canonicalize_name(dep)
                if dep == target:
                    return start
                if dep not in seen and len(seen) < 2000:
                    seen.add(dep)
                    todo.append(dep)
    return None


def import_names_for_project(project: str) -> tuple[str, ...]:
    """Import names (possibly dotted) a project is known or assumed to install.

    `PyYAML` -> ('yaml',), `azure-identity` -> ('azure.identity',), `python-dotenv` ->
    ('dotenv',), anything else -> its canonical name with hyphens as underscores.
    """
    key = canonicalize_name(project)
    known = _PROJECT_TO_IMPORTS.get(key)
    if known:
        return known
    root, sep, _ = key.partition("-")
    if sep and root in NAMESPACE_ROOTS:
        return (key.replace("-", "."),)
    return (key.replace("-", "_").replace(".", "_"),)
