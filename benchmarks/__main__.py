"""Run the benchmarks, print their ratios, and save them as JSON and a PNG plot.

    python -m benchmarks            # the service: /health under logins, /products vs bare FastAPI
    python -m benchmarks course     # the course run alone (minutes)
    python -m benchmarks all        # both

`make bench` runs the first, `make bench BENCH=course` or `BENCH=all` the others. Each service
benchmark starts its own uvicorn servers on 127.0.0.1 and stops them, and takes under a minute.
Results go to benchmarks/results/latest.json and latest.png.
"""

import argparse
import json
import os
import platform
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

from benchmarks import course_run, health_under_login, products_vs_bare
from benchmarks.plot import plot_results

RESULTS = Path(__file__).resolve().parent / "results"
BUSY_LOAD_AVERAGE = 1.0  # on an idle machine the 1-minute load is well below this


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "uvicorn": version("uvicorn"),
        "fastapi": version("fastapi"),
        "load_average_at_start": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("which", nargs="?", choices=["service", "course", "all"], default="service")
    which = parser.parse_args().which

    results: dict[str, Any] = {
        "machine": machine(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    if results["machine"]["load_average_at_start"] > BUSY_LOAD_AVERAGE:
        print(
            f"Warning: the machine is busy (load {os.getloadavg()[0]:.1f}); figures will be noisy."
        )
    if which in ("service", "all"):
        health = health_under_login.run()
        print(f"1. {health.describe()}", flush=True)
        results["health_under_login"] = health.as_dict()
        products = products_vs_bare.run()
        print(f"2. {products.describe()}", flush=True)
        results["products_vs_bare"] = products.as_dict()
    if which in ("course", "all"):
        course = course_run.run()
        print(f"3. {course.describe()}", flush=True)
        results["course_run"] = course.as_dict()
    results["machine"]["load_average_at_end"] = os.getloadavg()[0]

    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    plot_results(results, RESULTS / "latest.png")
    print(f"Saved {RESULTS.name}/latest.json and {RESULTS.name}/latest.png in benchmarks/.")


if __name__ == "__main__":
    main()
