"""agentzip: stop broken Foundry hosted-agent deployments before they are uploaded."""

__version__ = "0.1.0"
