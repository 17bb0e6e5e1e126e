"""Bounded readers for .NET project files, runtimeconfig.json, deps.json, global.json and nuget.config."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

# Caps on what a reader takes in: project files and configs are a few KB, a big app's deps.json
# about a megabyte. Past the cap the file is "unreadable", never read further.
XML_LIMIT = 1 << 20
JSON_LIMIT = 16 << 20
# Markup that could expand entities (billion laughs) or fetch external ones: MSBuild files never
# need it, so its presence alone makes the file unreadable to us.
_UNSAFE_XML = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
PROJECT_SUFFIXES = (".csproj", ".fsproj", ".vbproj")
SOLUTION_SUFFIXES = (".sln", ".slnx")
NUGET_ORG = "api.nuget.org"
WINDOWS_FRAMEWORKS = frozenset({"Microsoft.WindowsDesktop.App"})


class DotnetReadError(ValueError):
    """A file that cannot be read safely: too large, not well-formed, or using DTD markup."""


def parse_xml(data: bytes, what: str) -> Any:
    """An ElementTree root from capped bytes, with namespaces stripped; DotnetReadError otherwise."""
    import xml.etree.ElementTree as ET

    if len(data) > XML_LIMIT:
        raise DotnetReadError(f"{what} is larger than {XML_LIMIT} bytes")
    if _UNSAFE_XML.search(data):
        raise DotnetReadError(f"{what} has a DOCTYPE or ENTITY declaration, which MSBuild files never need")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as e:
        raise DotnetReadError(f"{what} is not well-formed XML ({e})") from None
    for el in root.iter():
        if isinstance(el.tag, str) and "}" in el.tag:
            el.tag = el.tag.split("}", 1)[1]  # old-style projects use the msbuild/2003 namespace
    return root


def parse_json(data: bytes, what: str) -> Any:
    """A JSON value from capped bytes (comments and BOM tolerated as the .NET host does)."""
    if len(data) > JSON_LIMIT:
        raise DotnetReadError(f"{what} is larger than {JSON_LIMIT} bytes")
    text = data.decode("utf-8-sig", errors="replace")
    if "//" in text or "/*" in text:
        text = _strip_comments(text)
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as e:
        raise DotnetReadError(f"{what} is not valid JSON ({e})") from None


def _strip_comments(text: str) -> str:
    # The host's reader (rapidjson) accepts comments; drop them outside strings.
    out: list[str] = []
    i, n, in_str = 0, len(text), False
    while i < n:
        c = text[i]
        if in_str:
            out.append(c)
            if c == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 1
            elif c == '"':
                in_str = False
        elif c == '"':
            in_str = True
            out.append(c)
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
            continue
        else:
            out.append(c)
        i += 1
    return "".join(out)


def _text(el: Any) -> str | None:
    return el.text.strip() if el is not None and el.text and el.text.strip() else None


# -- project files -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PackageRef:
    name: str
    version: str | None  # None: the version comes from Directory.Packages.props (or nowhere)


@dataclass(frozen=True)
class Project:
    """What a `*.csproj`/`*.fsproj` declares that matters to the service's restore and publish."""

    path: str
    sdk: str | None = None
    assembly_name: str | None = None
    target_framework: str | None = None
    target_frameworks: str | None = None  # the raw `<TargetFrameworks>` text: NETSDK1129 without -f
    packages: tuple[PackageRef, ...] = ()
    project_refs: tuple[str, ...] = ()
    imports: tuple[str, ...] = ()
    manage_central: bool = False  # ManagePackageVersionsCentrally
    roll_forward: str | None = None  # <RollForward>, written to the runtimeconfig
    error: str | None = None

    @property
    def stem(self) -> str:
        name = self.path.rsplit("/", 1)[-1]
        return name.rsplit(".", 1)[0]

    @property
    def dll(self) -> str:
        """The assembly the build produces: `<AssemblyName>.dll`, else `<project stem>.dll` (as azd)."""
        name = self.assembly_name if self.assembly_name and "$(" not in self.assembly_name else self.stem
        return name + ".dll"

    @property
    def frameworks(self) -> tuple[str, ...]:
        raw = self.target_frameworks or self.target_framework or ""
        return tuple(t.strip() for t in raw.split(";") if t.strip())


def read_project(path: str, data: bytes) -> Project:
    """Parse a project file; an unreadable one is a Project with `error` set."""
    try:
        root = parse_xml(data, path)
    except DotnetReadError as e:
        return Project(path, error=str(e))
    props: dict[str, str] = {}
    for group in root.iter("PropertyGroup"):
        for el in group:
            value = _text(el)
            if isinstance(el.tag, str) and value is not None:
                props.setdefault(el.tag, value)  # the first unconditional-looking value wins
    packages: list[PackageRef] = []
    refs: list[str] = []
    for el in root.iter("PackageReference"):
        name = el.get("Include")
        if name:
            version = el.get("Version") or el.get("VersionOverride") or _text(el.find("Version"))
            packages.append(PackageRef(name, version))
    for el in root.iter("ProjectReference"):
        if el.get("Include"):
            refs.append(el.get("Include"))
    imports = [el.get("Project") for el in root.iter("Import") if el.get("Project")]
    return Project(
        path,
        sdk=root.get("Sdk"),
        assembly_name=props.get("AssemblyName"),
        target_framework=props.get("TargetFramework"),
        target_frameworks=props.get("TargetFrameworks"),
        packages=tuple(packages),
        project_refs=tuple(refs),
        imports=tuple(i for i in imports if i),
        manage_central=props.get("ManagePackageVersionsCentrally", "").lower() == "true",
        roll_forward=props.get("RollForward"),
    )


_TFM = re.compile(r"^net(?:coreapp)?(\d+)\.(\d+)(?:-([a-z]+)[\d.]*)?$", re.IGNORECASE)


def tfm_major(tfm: str) -> int | None:
    """10 for `net10.0`, 3 for `netcoreapp3.1`; None for `netstandard2.0`, `net48` or `$(Var)`."""
    m = _TFM.match(tfm.strip())
    return int(m.group(1)) if m else None


def tfm_platform(tfm: str) -> str | None:
    """`windows` for `net10.0-windows10.0.19041`; None for a plain TFM."""
    m = _TFM.match(tfm.strip())
    return m.group(3).lower() if m and m.group(3) else None


# -- runtimeconfig.json --------------------------------------------------------------------------


@dataclass(frozen=True)
class RuntimeConfig:
    """`runtimeOptions` of a `*.runtimeconfig.json`: the frameworks the host must find."""

    path: str
    tfm: str | None = None
    frameworks: tuple[tuple[str, str], ...] = ()  # (name, version) from framework / frameworks
    included: tuple[tuple[str, str], ...] = ()  # includedFrameworks: a self-contained app
    roll_forward: str | None = None
    error: str | None = None

    @property
    def rolls_across_majors(self) -> bool:
        return (self.roll_forward or "").lower() in ("major", "latestmajor")


def _named(items: Any) -> tuple[tuple[str, str], ...]:
    out = []
    for item in items if isinstance(items, list) else [items]:
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            out.append((item["name"], str(item.get("version", ""))))
    return tuple(out)


def read_runtimeconfig(path: str, data: bytes) -> RuntimeConfig:
    try:
        doc = parse_json(data, path)
    except DotnetReadError as e:
        return RuntimeConfig(path, error=str(e))
    options = doc.get("runtimeOptions") if isinstance(doc, dict) else None
    if not isinstance(options, dict):
        return RuntimeConfig(path, error=f"{path} has no runtimeOptions object")
    frameworks = _named(options.get("framework")) if "framework" in options else ()
    frameworks += _named(options.get("frameworks", []))
    roll = options.get("rollForward")
    if roll is None and isinstance(options.get("configProperties"), dict):
        roll = options["configProperties"].get("System.Runtime.RollForward")
    tfm = options.get("tfm")
    return RuntimeConfig(
        path,
        tfm=tfm if isinstance(tfm, str) else None,
        frameworks=frameworks,
        included=_named(options.get("includedFrameworks", [])),
        roll_forward=roll if isinstance(roll, str) else None,
    )


def version_major(version: str) -> int | None:
    head = version.strip().split(".", 1)[0]
    return int(head) if head.isdigit() else None


# -- deps.json -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Asset:
    path: str  # as deps.json writes it (`lib/net8.0/Foo.dll`, `runtimes/linux-x64/native/x.so`)
    kind: str  # "runtime" or "native"
    rid: str | None = None  # runtimeTargets only


@dataclass(frozen=True)
class DepsLibrary:
    name: str
    version: str
    assets: tuple[Asset, ...] = ()

    @property
    def rid_assets(self) -> tuple[Asset, ...]:
        return tuple(a for a in self.assets if a.rid is not None)


@dataclass(frozen=True)
class DepsJson:
    """A `*.deps.json`: the target (with its RID, if any) and each library's assets."""

    path: str
    runtime_target: str | None = None
    libraries: tuple[DepsLibrary, ...] = ()
    error: str | None = None

    @property
    def rid(self) -> str | None:
        """`linux-x64` for `.NETCoreApp,Version=v10.0/linux-x64`; None for a portable publish."""
        if self.runtime_target and "/" in self.runtime_target:
            return self.runtime_target.split("/", 1)[1] or None
        return None


def read_deps(path: str, data: bytes) -> DepsJson:
    try:
        doc = parse_json(data, path)
    except DotnetReadError as e:
        return DepsJson(path, error=str(e))
    if not isinstance(doc, dict):
        return DepsJson(path, error=f"{path} is not a JSON object")
    rt = doc.get("runtimeTarget")
    name = rt.get("name") if isinstance(rt, dict) else rt if isinstance(rt, str) else None
    targets = doc.get("targets")
    libs: list[DepsLibrary] = []
    if isinstance(targets, dict) and isinstance(name, str) and isinstance(targets.get(name), dict):
        for key, lib in targets[name].items():
            if isinstance(lib, dict):
                lib_name, _, version = str(key).partition("/")
                libs.append(DepsLibrary(lib_name, version, _assets(lib)))
    return DepsJson(path, runtime_target=name if isinstance(name, str) else None, libraries=tuple(libs))


def _assets(lib: dict[str, Any]) -> tuple[Asset, ...]:
    out: list[Asset] = []
    for kind in ("runtime", "native"):
        section = lib.get(kind)
        if isinstance(section, dict):
            out += [Asset(str(p), kind) for p in section]
    targets = lib.get("runtimeTargets")
    if isinstance(targets, dict):
        for p, meta in targets.items():
            if isinstance(meta, dict):
                kind = str(meta.get("assetType", "runtime"))
                out.append(Asset(str(p), kind, str(meta.get("rid", "")) or None))
    return tuple(out)


# -- global.json and nuget.config ----------------------------------------------------------------


@dataclass(frozen=True)
class GlobalJson:
    path: str
    sdk_version: str | None = None
    roll_forward: str | None = None
    error: str | None = None


def read_global_json(path: str, data: bytes) -> GlobalJson:
    try:
        doc = parse_json(data, path)
    except DotnetReadError as e:
        return GlobalJson(path, error=str(e))
    sdk = doc.get("sdk") if isinstance(doc, dict) else None
    if not isinstance(sdk, dict):
        return GlobalJson(path)
    version, roll = sdk.get("version"), sdk.get("rollForward")
    return GlobalJson(path, version if isinstance(version, str) else None, roll if isinstance(roll, str) else None)


@dataclass(frozen=True)
class NugetConfig:
    """The package sources a `nuget.config` adds, and whether it clears the inherited ones."""

    path: str
    feeds: tuple[tuple[str, str], ...] = ()  # (key, url or folder)
    clears: bool = False
    cleartext_passwords: tuple[str, ...] = ()  # source keys with a ClearTextPassword
    error: str | None = None


def read_nuget_config(path: str, data: bytes) -> NugetConfig:
    try:
        root = parse_xml(data, path)
    except DotnetReadError as e:
        return NugetConfig(path, error=str(e))
    feeds: list[tuple[str, str]] = []
    clears = False
    for sources in root.iter("packageSources"):
        for el in sources:
            if el.tag == "clear":
                clears = True
            elif el.tag == "add" and el.get("value"):
                feeds.append((el.get("key") or "", el.get("value")))
    secrets: list[str] = []
    for creds in root.iter("packageSourceCredentials"):
        for source in creds:
            for el in source:
                if el.tag == "add" and (el.get("key") or "").lower() == "cleartextpassword" and el.get("value"):
                    secrets.append(str(source.tag))
    return NugetConfig(path, tuple(feeds), clears, tuple(secrets))


def is_public_feed(url: str) -> bool:
    return NUGET_ORG in url.lower()


def is_url(value: str) -> bool:
    return bool(re.match(r"^[a-z][a-z0-9+.-]*://", value, re.IGNORECASE))
