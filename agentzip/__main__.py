"""`python -m agentzip`."""

from agentzip.entry import run

run()
