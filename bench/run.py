"""Run every benchmark in this folder (`bench_*.py`, each with a `main()`), printing its figures.

Benchmarks are measurements, not tests: they print rows/s, latency and peak memory, and the
README records the figures. `make bench` runs this.
"""

import importlib.util
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    modules = sorted(HERE.glob("bench_*.py"))
    only = set(sys.argv[1:])
    if not modules:
        print("还没有基准测试。")
        return 0
    for path in modules:
        if only and path.stem not in only:
            continue
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(f"== {path.stem} ==", flush=True)
        started = time.perf_counter()
        module.main()
        print(f"({path.stem}: {time.perf_counter() - started:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
