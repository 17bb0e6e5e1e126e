"""`python -m agentzip`."""

from agentzip.cli import main

main()
