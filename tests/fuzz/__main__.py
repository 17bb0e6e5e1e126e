"""`python -m tests.fuzz --minutes 30`: the fuzz properties, random and without deadline, until time is up."""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__)
    parser.add_argument("--minutes", type=float, default=30.0, help="how long to run (default 30)")
    parser.add_argument("--only", default="", help="run only properties whose name contains this")
    args = parser.parse_args(argv)
    os.environ["AGENTZIP_FUZZ_PROFILE"] = "long"  # read when the properties are imported, below
    from tests.fuzz import test_properties

    props = [
        getattr(test_properties, n) for n in sorted(dir(test_properties)) if n.startswith("test_") and args.only in n
    ]
    end = time.monotonic() + args.minutes * 60
    rounds, failed = 0, set()
    while time.monotonic() < end and len(failed) < len(props):
        for prop in props:
            if prop.__name__ in failed or time.monotonic() >= end:
                continue
            try:
                prop()  # one round of the "long" profile's max_examples, from a fresh random seed
            except Exception:  # report every failing property, then go on with the others
                failed.add(prop.__name__)
                print(f"FAILED {prop.__name__}:\n{traceback.format_exc()}", file=sys.stderr)
        rounds += 1
    print(f"{rounds} round(s) of {len(props)} properties; {len(failed)} failed: {', '.join(sorted(failed)) or 'none'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
