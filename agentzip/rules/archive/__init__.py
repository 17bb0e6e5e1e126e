"""Archive rules (AZ0xx): a zip the runtime cannot extract as intended, or that extractors read differently.

Importing this package registers them: the name rules and the structure rules.
"""

from agentzip.rules.archive import names, structure  # noqa: F401
