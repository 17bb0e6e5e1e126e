""".NET failures in a log, each explained against the bundle: its runtimeconfig, deps.json and project file.

One entry point, `DotnetLog`, used by `api.explain`: it reads the log as Python's scan reads it
(once, line by line), refuses `--module` on a .NET target, and gives a Diagnosis per distinct
failure (validator/dotnetlog.py recognises them). Causes are .NET's own keys (see CAUSES below).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import cast

from agentzip.errors import UsageError
from agentzip.explain.model import Cause, Diagnosis, Verdict, rule_name
from agentzip.validator.context import Context
from agentzip.validator.dotnet import Asset, DepsLibrary, Project, RuntimeConfig, tfm_major, version_major
from agentzip.validator.dotnetlog import DotnetFailure, Scanner

RUNTIME_MAJOR = 10
LINUX_RIDS = ("linux-x64", "linux", "unix", "any")
# Causes of .NET diagnoses (stable keys, as explain/model.py's): the failure kind, and how the bundle answers it.
CAUSES = (
    "framework-missing",
    "app-missing",
    "native-missing",
    "native-not-for-linux",
    "assembly-missing",
    "assembly-not-referenced",
    "package-version-missing",
    "multi-target",
    "package-not-found",
    "bundle-differs",
)


def _d(
    subject: str, cause: str, message: str, fix: str, code: str | None, failure: DotnetFailure, **kw: object
) -> Diagnosis:
    verdict: Verdict = "unknown" if cause == "bundle-differs" else "fails"
    return Diagnosis(
        subject,
        verdict,
        cast(Cause, cause),
        message,
        fix,
        code=code,
        rule=rule_name(code),
        log=failure.line,
        **kw,  # type: ignore[arg-type]
    )


class DotnetLog:
    """The .NET side of one `explain` run: taps the log lines, then explains what they showed."""

    def __init__(self, ctx: Context, modules: Iterable[str], log: str | Iterable[str] | None) -> None:
        self.ctx = ctx
        self.is_dotnet = ctx.target.is_dotnet
        if self.is_dotnet and any(m.strip() for m in modules):
            raise UsageError("modules are Python; this is a .NET target: give its log with --log")
        self._scanner = Scanner()
        self._log = log
        self.lines: Iterator[str] | None = None if log is None else self._tap(log)

    def _tap(self, log: str | Iterable[str]) -> Iterator[str]:
        for line in log.splitlines() if isinstance(log, str) else log:
            self._scanner.feed(line)
            yield line

    @property
    def python(self) -> bool:
        """Whether Python's scan should read the log too (a Python target)."""
        return not self.is_dotnet

    def diagnoses(self) -> tuple[Diagnosis, ...]:
        """One diagnosis per distinct .NET failure (the log is read to its end here if Python's scan did not)."""
        if self.lines is None:
            return ()
        for _ in self.lines:
            pass
        return tuple(_Explainer(self.ctx).explain(f) for f in self._scanner.close())

    def notes(self, python_found: bool) -> list[str]:
        """What the report says about the log: nothing found, or failures left out."""
        out = []
        if self._log is not None and not self._scanner.failures and not python_found:
            if self.is_dotnet:
                out.append("the log shows no .NET start-up or restore failure")
            else:
                out.append("the log shows no ModuleNotFoundError or ImportError")
        if self._scanner.left:
            out.append(f"the log shows {self._scanner.left} more distinct .NET failure(s): fix these and run again")
        return out


class _Explainer:
    """Each failure kind against the bundle's .NET files."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.facts = ctx.index.dotnet
        self.paths = set(ctx.index.by_path)

    def explain(self, f: DotnetFailure) -> Diagnosis:
        handler = {
            "framework-missing": self.framework,
            "app-missing": self.app,
            "native-missing": self.native,
            "assembly-missing": self.assembly,
            "NU1015": self.nu1015,
            "NETSDK1129": self.netsdk1129,
            "NU1101": self.nu1101,
        }[f.kind]
        return handler(f)

    # -- start-up ----------------------------------------------------------------------------

    def framework(self, f: DotnetFailure) -> Diagnosis:
        asked = f"{f.subject} {f.version}" if f.subject else "a framework"
        entry = self.ctx.target.entry_file or ""
        rc = self.facts.runtimeconfig_for(entry) or next(iter(self.facts.runtimeconfigs), None)
        project = self.facts.project
        if f.subject == "Microsoft.WindowsDesktop.App":
            return _d(
                f.subject,
                "framework-missing",
                f"the app asks for {asked}, which exists on Windows only; the runtime is Linux",
                "target plain net10.0 (no -windows TFM, no UseWPF/UseWindowsForms) and publish again",
                "AZ806",
                f,
            )
        have, fine = self._asks_for(rc, project)
        if fine:
            return _d(
                f.subject or "framework",
                "bundle-differs",
                f"the log's app asked for {asked}{have}, which starts on the .NET {RUNTIME_MAJOR} runtime: "
                "the log comes from another build of it",
                "deploy this bundle",
                "AZ803",
                f,
            )
        fix = (
            f"retarget to .NET {RUNTIME_MAJOR}: <TargetFramework>net{RUNTIME_MAJOR}.0</TargetFramework> and publish "
            "again; or, to run it as is, add <RollForward>Major</RollForward> to the project "
            '("rollForward": "Major" in the runtimeconfig)'
        )
        return _d(
            f.subject or "framework",
            "framework-missing",
            f"the app asks for {asked}, and the runtime has .NET {RUNTIME_MAJOR} only "
            f"(rollForward stays within a major by default){have}",
            fix,
            "AZ803",
            f,
        )

    @staticmethod
    def _asks_for(rc: RuntimeConfig | None, project: Project | None) -> tuple[str, bool]:
        """What the bundle's runtimeconfig (else project) asks for, and whether that starts on .NET 10."""
        rolls = ("major", "latestmajor")
        if rc is not None and rc.frameworks:
            roll = f", rollForward {rc.roll_forward}" if rc.roll_forward else ""
            have = f"; this bundle's {rc.path} asks for " + ", ".join(f"{n} {v}" for n, v in rc.frameworks) + roll
            majors = {version_major(v) for _, v in rc.frameworks}
            return have, rc.rolls_across_majors or majors == {RUNTIME_MAJOR}
        if project is not None and project.frameworks:
            have = f"; {project.path} targets {';'.join(project.frameworks)}"
            single = [tfm_major(t) for t in project.frameworks] == [RUNTIME_MAJOR]
            return have, single or (project.roll_forward or "").lower() in rolls
        return "", False

    def app(self, f: DotnetFailure) -> Diagnosis:
        wanted = (f.subject or "").replace("\\", "/").rsplit("/", 1)[-1]
        root = sorted(self.facts.root)
        if wanted in root:
            return _d(
                wanted,
                "bundle-differs",
                f"{wanted} is at the root of this bundle: the log comes from another build or entry point",
                "deploy this bundle",
                "AZ102",
                f,
            )
        close = [n for n in root if n.lower() == wanted.lower()]
        apps = [n for n in root if n.endswith(".dll") and n[:-4] + ".runtimeconfig.json" in self.facts.root]
        nested = sorted(p for p in self.paths if p.rsplit("/", 1)[-1].lower() == wanted.lower() and "/" in p)
        if close:
            why, fix = (
                f"the bundle has {close[0]}: names are case-sensitive on Linux",
                f"entry point: dotnet {close[0]}",
            )
        elif nested:
            why = f"it is at {nested[0]}, not at the zip root where the runtime starts it"
            fix = f"zip the folder's contents, not the folder: cd {nested[0].rsplit('/', 1)[0]} && zip -r ../agent-code.zip ."
        elif apps:
            why, fix = f"the bundle's app is {', '.join(apps)}", f"entry point: dotnet {apps[0]}"
        elif self.facts.project is not None and self.ctx.target.mode == "bundled":
            why = f"the bundle holds the project's sources ({self.facts.project.path}), not its publish output"
            fix = "deploy it as remote_build, or publish it: agentzip build --runtime dotnet_10 --mode bundled"
        else:
            why, fix = "the bundle has no app dll at its root", "zip the whole `dotnet publish` output, flat"
        return _d(
            wanted,
            "app-missing",
            f"the runtime ran `dotnet {wanted}`; {why}",
            fix,
            "AZ102",
            f,
            suggestions=tuple(close or apps),
            paths=tuple(nested[:1]),
        )

    def native(self, f: DotnetFailure) -> Diagnosis:
        name = f.subject or ""
        shipped = [
            (lib, a, a.rid or rid or "any")  # a RID-specific publish lists its natives without a rid
            for rid, lib in self._libraries()
            for a in lib.assets
            if a.kind == "native" and _same_native(a.path, name)
        ]
        if not shipped:
            where = "no package in deps.json ships it" if self.facts.deps else "this bundle has no deps.json to tell"
            return _d(
                name,
                "native-missing",
                f"native library '{name}': {where}, and the runtime image does not have it",
                "add the package that ships it for linux-x64 (a `runtimes/linux-x64/native/` asset), then publish again",
                "AZ808",
                f,
            )
        lib = shipped[0][0]
        rids = sorted({rid for _, _, rid in shipped})
        linux = [a for _, a, rid in shipped if rid in LINUX_RIDS]
        pkg = f"{lib.name} {lib.version}"
        if not linux:
            return _d(
                name,
                "native-not-for-linux",
                f"'{name}' comes from {pkg}, which ships it for {', '.join(rids)} only: nothing for linux-x64",
                f"use a version or companion package of {lib.name} with a linux-x64 native asset, and publish -r linux-x64",
                "AZ808",
                f,
            )
        missing = [self._asset_path(a) for a in linux if self._asset_path(a) not in self.paths]
        if missing:
            return _d(
                name,
                "native-missing",
                f"'{name}' comes from {pkg}; deps.json lists it at {missing[0]} and the bundle does not have it",
                "zip the whole `dotnet publish -r linux-x64` output, flat (runtimes/ and native files included)",
                "AZ808",
                f,
                paths=tuple(missing),
            )
        return _d(
            name,
            "bundle-differs",
            f"'{name}' ({pkg}) is in this bundle for linux-x64: the log comes from another build, or the library "
            "needs a system library the image lacks (`ldd` it)",
            "deploy this bundle",
            "AZ808",
            f,
        )

    def assembly(self, f: DotnetFailure) -> Diagnosis:
        name = f.subject or ""
        dll = name + ".dll"
        libs = [lib for _, lib in self._libraries() if lib.name.lower() == name.lower()]
        at_root = dll in self.facts.root
        asked = f" (Version={f.version})" if f.version else ""
        if libs:
            lib = libs[0]
            if at_root:
                return _d(
                    name,
                    "bundle-differs",
                    f"{dll} is at the root and deps.json lists {lib.name} {lib.version}{asked}: the log comes "
                    "from another build, or a dependency asks for a newer version than the one published",
                    "publish again and deploy the whole output",
                    None,
                    f,
                )
            return _d(
                name,
                "assembly-missing",
                f"deps.json lists {lib.name} {lib.version}, and {dll} is not at the root",
                "zip the whole `dotnet publish` output, flat",
                None,
                f,
            )
        refs = [p.name for p in self.facts.project.packages] if self.facts.project else []
        if self.facts.project is not None and any(r.lower() == name.lower() for r in refs):
            return _d(
                name,
                "bundle-differs",
                f"{self.facts.project.path} references {name}: the service's publish brings it",
                "deploy this bundle",
                None,
                f,
            )
        where = (
            "at the root, but no deps.json library lists it (the host loads what deps.json lists)"
            if at_root
            else ("in no deps.json library and not at the root")
        )
        return _d(
            name,
            "assembly-not-referenced",
            f"{name}{asked} is {where}",
            f'reference it in the project (<PackageReference Include="{name}" Version="..." />) and publish again',
            None,
            f,
        )

    # -- restore -----------------------------------------------------------------------------

    def nu1015(self, f: DotnetFailure) -> Diagnosis:
        project = self.facts.project
        bare = [p.name for p in project.packages if not p.version] if project else []
        names = list(f.items) or bare
        props = self.facts.has("Directory.Packages.props")
        where = f" in {project.path}" if project else ""
        central = (
            "; Directory.Packages.props is in the bundle: give each a <PackageVersion>"
            if props
            else ("; their versions came from a Directory.Packages.props that the zip does not carry")
        )
        return _d(
            ", ".join(names) or "PackageReference",
            "package-version-missing",
            f"PackageReference without a version{where}: {', '.join(names)}{central}",
            'add Version="..." to each PackageReference, or ship Directory.Packages.props at the zip root',
            "AZ805",
            f,
            paths=(project.path,) if project else (),
        )

    def netsdk1129(self, f: DotnetFailure) -> Diagnosis:
        project = self.facts.project
        raw = project.target_frameworks if project and project.target_frameworks else ";".join(f.items)
        where = (
            f"{project.path} has <TargetFrameworks>{raw}</TargetFrameworks>"
            if project
            else f"the project targets {raw}"
        )
        return _d(
            project.path if project else "TargetFrameworks",
            "multi-target",
            f"{where}, and the service publishes without -f, which needs exactly one framework",
            f"use <TargetFramework>net{RUNTIME_MAJOR}.0</TargetFramework> (singular)",
            "AZ804",
            f,
        )

    def nu1101(self, f: DotnetFailure) -> Diagnosis:
        name = f.subject or ""
        feeds = [url for c in self.facts.nuget_configs for _, url in c.feeds]
        sources = ", ".join(f.items) or ", ".join(feeds) or "nuget.org"
        private = [u for u in feeds if "nuget.org" not in u.lower()]
        fix = (
            f"check the name {name} on nuget.org; a private package needs its feed in a nuget.config at the zip root "
            "(the service cannot sign in to it: build bundled instead)"
        )
        if private:
            fix = f"the service cannot sign in to {private[0]}: publish where the feed is reachable and build bundled"
        return _d(name, "package-not-found", f"restore found no package {name} in {sources}", fix, "AZ811", f)

    # -- facts -------------------------------------------------------------------------------

    def _libraries(self) -> list[tuple[str | None, DepsLibrary]]:
        """(the deps.json RID, None when portable; the library) for every library of every deps.json."""
        return [(d.rid, lib) for d in self.facts.deps for lib in d.libraries]

    @staticmethod
    def _asset_path(asset: Asset) -> str:
        """Where a deps.json asset sits in a publish: RID-specific assets flat at the root, runtimeTargets as listed."""
        return asset.path if asset.rid else asset.path.rsplit("/", 1)[-1]


def _same_native(path: str, name: str) -> bool:
    """Whether an asset file is the library a DllImport name means ('e_sqlite3' -> libe_sqlite3.so, e_sqlite3.dll)."""
    file = path.rsplit("/", 1)[-1].lower()
    stem = name.lower()
    for suffix in (".so", ".dll", ".dylib"):
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
    if stem.startswith("lib"):
        stem = stem[3:]
    base = file.split(".so")[0] if ".so" in file else file.rsplit(".", 1)[0]
    return base in (stem, "lib" + stem)
