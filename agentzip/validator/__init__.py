"""The engine: everything a rule reads, and the report it produces."""
