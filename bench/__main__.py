"""Run the benchmarks: `python -m bench` (all) or `python -m bench reports dashboard` (some)."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    argv = [a.replace("-", "_") for a in argv]  # `python -m bench open-data` runs bench_open_data
    wanted = [n for n in names if not argv or n.removeprefix("bench_") in argv]
    if not wanted:
        print(f"no benchmark matches {argv}; available: {', '.join(n.removeprefix('bench_') for n in names)}")
        return 2
    for name in wanted:
        print(f"\n=== {name.removeprefix('bench_')} ===", flush=True)
        importlib.import_module(f"bench.{name}").main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
