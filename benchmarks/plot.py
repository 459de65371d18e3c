"""One PNG of a benchmark run: a panel per benchmark, each showing its two sides and the ratio."""

from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.pyplot as plt
from matplotlib.axes import Axes

matplotlib.use("Agg")  # files only, no window


COLOURS = ["tab:blue", "tab:orange", "tab:green", "tab:grey"]


def bars(axes: Axes, labels: list[str], values: list[float], unit: str, title: str) -> None:
    drawn = axes.bar(labels, values, color=COLOURS[: len(values)])
    axes.bar_label(drawn, labels=[f"{value:,.1f} {unit}" for value in values])
    axes.set_title(title, fontsize=10)
    axes.set_ylabel(unit)
    axes.margins(y=0.15)


def plot_results(results: dict[str, Any], path: Path) -> None:
    panels = [
        key
        for key in ("health_under_login", "products_vs_bare", "one_product", "rate_limit_workers",
                    "course_run")
        if key in results or (key == "one_product" and "products_vs_bare" in results)
    ]  # fmt: skip
    figure, all_axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 4.2), squeeze=False)
    for axes, key in zip(all_axes[0], panels, strict=True):
        result = results.get(key) or results["products_vs_bare"]
        if key == "health_under_login":
            idle, loaded = result["health_idle"]["p99_ms"], result["health_under_logins"]["p99_ms"]
            bars(axes, ["idle", f"{result['login_clients']} logins"], [idle, loaded], "ms",
                 f"GET /health p99: {result['p99_ratio']:.1f}x under logins")  # fmt: skip
            axes.set_yscale("log")
        elif key == "products_vs_bare":
            names = ("service", "uncached", "bare", "database_floor")
            sides = [result[side]["per_second"] for side in names]
            bars(axes, ["cached", "uncached", "bare FastAPI", "bare +\nSELECT 1"], sides, "req/s",
                 f"GET /products: {result['throughput_ratio']:.2f}x of bare cached, "
                 f"{result['uncached_throughput_ratio']:.2f}x uncached")  # fmt: skip
            for target in (0.8, 0.4):  # the targets, as fractions of bare FastAPI
                axes.axhline(target * sides[2], color="grey", linestyle="--", linewidth=1)
        elif key == "one_product":
            sides = [result[f"one_product_{side}"]["per_second"] for side in ("cached", "uncached")]
            bars(axes, ["cached", "uncached"], sides, "req/s",
                 f"GET /products/{{id}}: the cache's speed-up {result['cache_speedup']:.2f}x")  # fmt: skip
        elif key == "rate_limit_workers":
            allowed = [result["allowed_without_redis"], result["allowed_with_redis"]]
            bars(axes, ["without Redis", "with Redis"], allowed, "attempts",
                 f"Login limit {result['limit']} on {result['workers']} workers: let through")  # fmt: skip
            axes.axhline(result["limit"], color="grey", linestyle="--", linewidth=1)
        else:
            verify, floor = result["verify_seconds"], result["floor_seconds"]
            bars(axes, ["verify", "floor"], [verify, floor], "s",
                 f"Course validation: {result['ratio']:.2f}x its floor")  # fmt: skip
    machine = results["machine"]
    figure.suptitle(
        f"{results['started']} · {machine['cpus']} CPUs · Python {machine['python']} · "
        f"uvicorn {machine['uvicorn']} · CPU busy before: {machine['cpu_busy_percent_before']:.0f}%",
        fontsize=9,
    )
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
