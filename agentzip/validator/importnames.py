"""Import names vs PyPI project names: `import yaml` is installed by PyYAML, `import cv2` by opencv-python."""

from __future__ import annotations

from packaging.utils import NormalizedName, canonicalize_name

# Namespace packages (PEP 420 or pkgutil-style) shared by many projects: the top-level name says
# nothing, the next component does (`azure.identity` is azure-identity, `google.protobuf` is protobuf).
NAMESPACE_ROOTS: frozenset[str] = frozenset(
    {"azure", "azureml", "google", "opentelemetry", "backports", "jaraco", "zope", "sphinxcontrib", "ruamel", "mpl_toolkits"}
)

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
    """The part of a dotted import that identifies what installs it: `azure.identity` for
    `azure.identity.aio`, `yaml` for `yaml.loader`."""
    parts = name.split(".")
    if parts[0] in NAMESPACE_ROOTS and len(parts) > 1:
        return ".".join(parts[:2])
    return parts[0]


def candidate_projects(name: str) -> tuple[NormalizedName, ...]:
    """Canonical project names that may install a dotted import name, the likeliest first.

    The curated table first (longest dotted prefix), then the name's own prefixes joined with
    hyphens (`azure.ai.projects` -> azure-ai-projects, azure-ai), down to the top level, which a
    namespace root alone never identifies.
    """
    parts = name.split(".")
    out: list[NormalizedName] = []
    for i in range(len(parts), 0, -1):
        projects = IMPORT_TO_PROJECTS.get(".".join(parts[:i]))
        if projects:
            out.extend(canonicalize_name(p) for p in projects)
            break
    floor = 2 if parts[0] in NAMESPACE_ROOTS and len(parts) > 1 else 1
    for i in range(len(parts), floor - 1, -1):
        out.append(canonicalize_name("-".join(parts[:i])))
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
    root, sep, rest = key.partition("-")
    if sep and root.replace("-", "_") in NAMESPACE_ROOTS:
        return (f"{root}.{rest.replace('-', '_')}",)
    return (key.replace("-", "_").replace(".", "_"),)


def top_level_for_project(project: str) -> tuple[str, ...]:
    """Top-level import names of a project: `azure` for azure-identity, `yaml` for PyYAML."""
    return tuple(dict.fromkeys(n.split(".", 1)[0] for n in import_names_for_project(project)))
