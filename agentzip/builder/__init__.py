"""`agentzip build`: stage files, install dependencies for the target, write a deterministic zip."""

from agentzip.builder.options import BuildOptions, BuildResult, Contributor
from agentzip.builder.pipeline import build

__all__ = ["BuildOptions", "BuildResult", "Contributor", "build"]
