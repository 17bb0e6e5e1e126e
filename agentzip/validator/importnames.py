"""Import names vs PyPI project names: `import yaml` is installed by PyYAML, `import cv2` by opencv-python."""

from __future__ import annotations

from packaging.utils import NormalizedName, canonicalize_name

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
    components joined with hyphens (`azure.ai.projects` -> azure-ai-projects), else the
    top-level name (`requests.adapters` -> requests). A namespace alone (`azure`) names nothing.
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
        out.extend(canonicalize_name("-".join(parts[:i])) for i in range(len(parts), floor - 1, -1))
    else:
        out.append(canonicalize_name(parts[0]))
    return tuple(dict.fromkeys(out))


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
