""".NET log recognisers: the host's, the runtime's and restore's own words become typed failures with facts."""

from __future__ import annotations

from agentzip.validator.dotnetlog import DotnetFailure, scan

# hostfxr, .NET 6 and later, for a net9.0 app on a .NET 10 image
FRAMEWORK_MISSING = """\
You must install or update .NET to run this application.

App: /app/EchoAgent.dll
Architecture: x64
Framework: 'Microsoft.NETCore.App', version '9.0.0' (x64)
.NET location: /usr/share/dotnet

The following frameworks were found:
  10.0.0 at [/usr/share/dotnet/shared/Microsoft.NETCore.App]
"""
# hostfxr, .NET Core 3.1 and .NET 5
OLD_FRAMEWORK_MISSING = """\
It was not possible to find any compatible framework version
The framework 'Microsoft.AspNetCore.App', version '8.0.0' (x64) was not found.
"""
RUNTIME = """\
The application to execute does not exist: '/app/MyAgent.dll'.
Unhandled exception. System.DllNotFoundException: Unable to load shared library 'e_sqlite3' or one of its dependencies. In order to help diagnose loading problems, consider using a tool like strace.
   at SQLitePCL.SQLite3Provider_e_sqlite3.NativeMethods.sqlite3_libversion_number()
Unhandled exception. System.IO.FileNotFoundException: Could not load file or assembly 'Azure.Identity, Version=1.13.2.0, Culture=neutral, PublicKeyToken=92742159e12e44c8'. The system cannot find the file specified.
Unhandled exception. System.IO.FileNotFoundException: Could not load file or assembly 'Azure.Identity, Version=1.13.2.0, Culture=neutral, PublicKeyToken=92742159e12e44c8'. The system cannot find the file specified.
"""
RESTORE = """\
/src/EchoAgent.csproj : error NU1015: The following PackageReference item(s) do not have a version specified: Azure.Identity, Microsoft.Extensions.Hosting
/usr/share/dotnet/sdk/10.0.100/Sdks/Microsoft.NET.Sdk/targets/Microsoft.NET.Sdk.CrossTargeting.targets(31,5): error NETSDK1129: The 'Publish' target is not supported without specifying a target framework. The current project targets multiple frameworks, you must specify one of the following frameworks in order to publish: net8.0, net10.0
/src/EchoAgent.csproj : error NU1101: Unable to find package Contoso.Internal. No packages exist with this id in source(s): nuget.org
"""


def test_framework_missing_names_the_framework_and_version() -> None:
    (f,) = scan(FRAMEWORK_MISSING)
    assert (f.kind, f.subject, f.version, f.items) == (
        "framework-missing",
        "Microsoft.NETCore.App",
        "9.0.0",
        ("/app/EchoAgent.dll",),
    )


def test_the_older_host_wording() -> None:
    (f,) = scan(OLD_FRAMEWORK_MISSING)
    assert (f.kind, f.subject, f.version) == ("framework-missing", "Microsoft.AspNetCore.App", "8.0.0")


def test_framework_missing_without_details_is_still_reported() -> None:
    (f,) = scan(["You must install or update .NET to run this application."])
    assert (f.kind, f.subject) == ("framework-missing", None)


def test_runtime_failures_with_their_subjects_once_each() -> None:
    found = [(f.kind, f.subject, f.version) for f in scan(RUNTIME)]
    assert found == [
        ("app-missing", "/app/MyAgent.dll", None),
        ("native-missing", "e_sqlite3", None),
        ("assembly-missing", "Azure.Identity", "1.13.2.0"),
    ]


def test_restore_errors_with_their_lists() -> None:
    nu1015, netsdk1129, nu1101 = scan(RESTORE.splitlines())
    assert nu1015 == DotnetFailure("NU1015", nu1015.line, items=("Azure.Identity", "Microsoft.Extensions.Hosting"))
    assert (netsdk1129.kind, netsdk1129.items) == ("NETSDK1129", ("net8.0", "net10.0"))
    assert (nu1101.kind, nu1101.subject, nu1101.items) == ("NU1101", "Contoso.Internal", ("nuget.org",))


def test_python_logs_and_noise_give_nothing() -> None:
    assert scan("ModuleNotFoundError: No module named 'requests'\nINFO started\n" + "x" * 100_000) == []
