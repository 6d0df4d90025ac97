"""python -m bench [--quick] [--json FILE]: print a table; the last line is one JSON object."""

from __future__ import annotations

import argparse
import json
import platform
import sys
from pathlib import Path

from bench import loop_cost, replay_cost


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="reduced sizes, under a minute")
    parser.add_argument("--json", default="var/bench.json", help="where to write the results")
    args = parser.parse_args(argv)
    iterations = 300 if args.quick else 1000
    print(f"loop: {iterations} iterations of a weekly follow-up ...", file=sys.stderr)
    loop = loop_cost.run(iterations=iterations)
    print("replay: a 200-event instance ...", file=sys.stderr)
    replay = replay_cost.run(events=100 if args.quick else 200)
    results = {
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "loop": loop,
        "replay": replay,
    }
    for section in ("loop", "replay"):
        figures = results[section]
        width = max(len(k) for k in figures)
        print(f"[{section}]")
        for key, value in figures.items():
            print(f"  {key:<{width}}  {value}")
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(json.dumps({"loop_cost_ratio": loop["loop_cost_ratio"],
                      "replay_ratio": replay["replay_ratio"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
