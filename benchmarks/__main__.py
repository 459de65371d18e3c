"""Run the benchmarks, print their ratios, and save them as JSON and a PNG plot.

    python -m benchmarks            # the service: /health under logins, product reads against
                                    # bare FastAPI (cached and not), the login limit on 4 workers
    python -m benchmarks course     # the course run alone (minutes)
    python -m benchmarks all        # both

`make bench` runs the first, `make bench BENCH=course` or `BENCH=all` the others. Each service
benchmark starts its own uvicorn servers (and Redis) on 127.0.0.1 and stops them; the service
benchmarks take about two minutes together.
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

import psutil

from benchmarks import course_run, health_under_login, products_vs_bare, rate_limit_workers
from benchmarks.plot import plot_results

RESULTS = Path(__file__).resolve().parent / "results"
BUSY_PERCENT = 25.0  # CPU already in use before the run: above this, other work skews the figures


def machine() -> dict[str, Any]:
    """What the figures depend on, including how busy the machine already was."""
    return {
        "cpu_busy_percent_before": psutil.cpu_percent(interval=2.0),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "uvicorn": version("uvicorn"),
        "fastapi": version("fastapi"),
        "load_average_before": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("which", nargs="?", choices=["service", "course", "all"], default="service")
    which = parser.parse_args().which

    results: dict[str, Any] = {
        "machine": machine(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    busy = results["machine"]["cpu_busy_percent_before"]
    if busy > BUSY_PERCENT:
        print(f"Warning: {busy:.0f}% of the CPU was busy before the run; figures will be noisy.")
    if which in ("service", "all"):
        health = health_under_login.run()
        print(f"1. {health.describe()}", flush=True)
        results["health_under_login"] = health.as_dict()
        products = products_vs_bare.run()
        print(f"2. {products.describe()}", flush=True)
        results["products_vs_bare"] = products.as_dict()
        limit = rate_limit_workers.run()
        print(f"4. {limit.describe()}", flush=True)
        results["rate_limit_workers"] = limit.as_dict()
    if which in ("course", "all"):
        course = course_run.run()
        print(f"5. {course.describe()}", flush=True)
        results["course_run"] = course.as_dict()

    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    plot_results(results, RESULTS / "latest.png")
    print("Saved benchmarks/results/latest.json and benchmarks/results/latest.png.")


if __name__ == "__main__":
    main()
