"""A minimal hosted agent."""
import json

print(json.dumps({"ok": True}))
