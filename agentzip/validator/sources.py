"""Where a requirement line or a package-source option points (a URL, a VCS, a local path), classified once."""

import enum
import posixpath
import re

from agentzip.records import NamedTuple

VCS_PREFIXES = ("git+", "hg+", "svn+", "bzr+")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
DRIVE = re.compile(r"^[A-Za-z]:[\\/]")
PYPI_HOSTS = frozenset({"pypi.org", "pypi.python.org", "files.pythonhosted.org", "test.pypi.org"})
# Package feeds that always need a token: unreachable from the service's build.
PRIVATE_FEEDS = ("pkgs.dev.azure.com", "pkgs.visualstudio.com", ".jfrog.io", ".pkg.github.com", "codeartifact.")


class SourceKind(enum.Enum):
    """Where a requirement line or a package-source option points."""

    HTTP = "http"  # an http(s) URL: an archive, an index, a links page
    VCS = "vcs"  # git+https://, git+ssh://, git@host:org/repo
    LOCAL = "local"  # a local path or a file: URL
    OTHER = "other"  # any other URL scheme (ftp://...)


class Source(NamedTuple):
    """The URL or path of a requirement line or of --index-url/--extra-index-url/--find-links, classified once."""

    kind: SourceKind
    text: str  # as written
    host: str = ""  # lowercase host name of a URL ("" for local paths)
    # LOCAL: a bundle path relative to the zip root, or an absolute build-machine path as written
    path: str | None = None
    ssh: bool = False  # a VCS URL over SSH (or git://, same need for keys or a daemon)
    env_credentials: bool = False  # `${VAR}` in the URL: filled from the build machine's environment
    credentials: bool = False  # user or password written into the URL
    private_host: bool = False  # localhost, a single-label or internal name, a private IP address
    private_feed: bool = False  # a package feed that always needs a token (Azure Artifacts, JFrog...)

    @property
    def pypi(self) -> bool:
        return self.host in PYPI_HOSTS


def classify(text: str, file: str) -> Source:
    """Classify a requirement's URL or path, or a package-source option's value, as pip would use it.

    `file` is the requirements file: pip resolves relative paths against its folder.
    """
    env = "${" in text
    if text.startswith("git@"):  # scp-style `git@github.com:org/repo.git`
        return Source(SourceKind.VCS, text, host=text[4:].split(":", 1)[0].lower(), ssh=True, env_credentials=env)
    scheme = text.split(":", 1)[0].lower() if _SCHEME.match(text) and not DRIVE.match(text) else ""
    if scheme.startswith(VCS_PREFIXES) or scheme in ("git", "ssh"):
        authority = text.split("//", 1)[-1].split("/", 1)[0]
        ssh = "ssh" in scheme or scheme == "git" or authority.startswith("git@")
        return Source(SourceKind.VCS, text, host=_hostname(text), ssh=ssh, env_credentials=env)
    if scheme in ("http", "https"):
        from urllib.parse import urlsplit  # only a line with a URL pays for urllib and ipaddress

        try:
            parts = urlsplit(text)
            host, credentials = (parts.hostname or "").lower(), bool(parts.username or parts.password)
        except ValueError:  # `http://[oops`: no host we could reach
            host, credentials = "", False
        return Source(
            SourceKind.HTTP,
            text,
            host=host,
            env_credentials=env,
            credentials=credentials,
            private_host=_private_host(host),
            private_feed=any(host == f.lstrip(".") or f in host for f in PRIVATE_FEEDS),
        )
    path = _local_path(text, file)
    if path is None:
        return Source(SourceKind.OTHER, text, host=_hostname(text), env_credentials=env)
    return Source(SourceKind.LOCAL, text, path=path, env_credentials=env)


def _hostname(url: str) -> str:
    from urllib.parse import urlsplit

    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _local_path(text: str, file: str) -> str | None:
    """A local path or file: URL as a bundle path (absolute ones as written); None for other URLs."""
    path = text.split("#", 1)[0].split(";", 1)[0].strip()
    if path.startswith("file:"):
        from urllib.parse import urlsplit

        try:
            path = urlsplit(path).path
        except ValueError:  # `file://[oops/x`
            path = path[len("file:") :].lstrip("/")
    elif URL.match(path):
        return None
    path = path.split("[", 1)[0]  # `./lib[extra]`
    if path.startswith(("/", "~")) or DRIVE.match(path):
        return path  # absolute: a build-machine path, never a bundle path
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(file), path.replace("\\", "/")))
    return "." if joined in ("", ".") else joined


def _private_host(host: str) -> bool:
    """True for hosts only a private network resolves or reaches."""
    if not host:
        return True
    if host == "localhost" or "." not in host or host.endswith((".local", ".internal", ".corp", ".lan", ".home")):
        return True
    from ipaddress import ip_address

    try:
        ip = ip_address(host)
    except ValueError:
        return False
    return ip.is_private or ip.is_loopback or ip.is_link_local
