"""`python -m course_tools.maintainer.browser`: every notebook in JupyterLab, in headless Chromium.

A clean copy of the full edition (course_app removed) is served by JupyterLab with settings and
workspaces of its own. For each notebook, in order, a fresh browser context opens it, waits for the
kernel, runs Run → Run All Cells from the menu, waits for the run to finish, saves through File →
Save, and fails on any error output. Screenshots go to test-results/browser/.

With `--learner`, a fresh learner edition is served instead, every hole empty, as a new learner
gets it: Run All must still end without an error cell, and each stage check must say "not yet".
Its screenshots go to test-results/browser/learner/.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import nbformat

from course_tools.maintainer.edition import build_edition
from course_tools.maintainer.holes import check_says_not_yet
from course_tools.maintainer.runner import (
    ALLOWED_ERROR_TAG,
    CELL_TIMEOUT_SECONDS,
    clean_copy,
    error_cells,
)
from course_tools.notebooks import Stage, stages
from course_tools.paths import find_root

if TYPE_CHECKING:  # Playwright is an extra: imported when the test runs, after a clear check
    from playwright.sync_api import Browser, FloatRect, Page, ViewportSize

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}
MAX_SCREENSHOT_HEIGHT = 16_000  # Chromium cannot capture taller pages in one piece
SCREENSHOT_FIT_ATTEMPTS = 5
SERVER_START_SECONDS = 60
KERNEL_START_MS = 120_000
RUN_ALL_MS = CELL_TIMEOUT_SECONDS * 1000
SAVE_MS = 30_000
# User settings that make JupyterLab predictable under test: every cell attached to the page (no
# virtual scrolling), and no news or update checks reaching out to the internet.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {
        "windowingMode": "none",
        "scrollPastEnd": False,  # so a screenshot can be exactly as tall as the notebook
    },
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}

# The notebook panel showing `path`, found through the app instance JupyterLab exposes.
FIND_PANEL = """path => Array.from(window.jupyterapp?.shell.widgets('main') ?? [])
    .find(widget => widget.context?.path === path)"""
KERNEL_IDLE = f"""path => {{
    const panel = ({FIND_PANEL})(path);
    return !!panel && panel.context.isReady && panel.content.widgets.length > 0
        && panel.sessionContext.session?.kernel?.status === 'idle';
}}"""
CODE_CELLS = """panel => {
    const cells = [];
    for (let i = 0; i < panel.content.model.cells.length; i++) {
        const cell = panel.content.model.cells.get(i);
        if (cell.type === 'code' && cell.sharedModel.getSource().trim()) cells.push([i, cell]);
    }
    return cells;
}"""
RUN_FINISHED = f"""path => {{
    const panel = ({FIND_PANEL})(path);
    if (panel.sessionContext.session?.kernel?.status !== 'idle') return false;
    const prompts = Array.from(panel.node.querySelectorAll('.jp-InputArea-prompt'));
    if (prompts.some(prompt => prompt.textContent.includes('*'))) return false;
    const cells = ({CODE_CELLS})(panel);
    const failed = cells.some(([, cell]) =>
        cell.outputs.toJSON().some(output => output.output_type === 'error'));
    return failed || cells.every(([, cell]) => cell.executionCount !== null);
}}"""
CELL_ERRORS = f"""path => ({CODE_CELLS})(({FIND_PANEL})(path)).flatMap(([index, cell]) =>
    cell.outputs.toJSON().filter(output => output.output_type === 'error').map(output => ({{
        index, tags: cell.getMetadata('tags') ?? [], error: `${{output.ename}}: ${{output.evalue}}`,
    }})))"""
SAVED = f"""path => {{
    const panel = ({FIND_PANEL})(path);
    return !panel.context.model.dirty;
}}"""
# After the layout settles (two frames), scroll the notebook to its top; return how much of it is
# still hidden below.
HIDDEN_HEIGHT = f"""async path => {{
    await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
    const panel = ({FIND_PANEL})(path);
    const scroller = panel.content.node.querySelector('.jp-WindowedPanel-outer') ?? panel.content.node;
    scroller.scrollTop = 0;
    return scroller.scrollHeight - scroller.clientHeight;
}}"""


@dataclass
class Result:
    stage: Stage
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Server:
    url: str
    token: str

    def api(self, path: str, method: str = "GET") -> Any:
        request = urllib.request.Request(
            f"{self.url}/api/{path}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def page(self, workspace: str, notebook: str) -> str:
        return f"{self.url}/lab/workspaces/{workspace}/tree/{notebook}?reset&token={self.token}"


def require_chromium() -> None:
    if not CHROMIUM.exists():
        raise SystemExit(
            f"The browser test needs Debian's Chromium at {CHROMIUM}, and it is missing.\n"
            "Install it as root: apt-get update && apt-get install -y chromium  (.ci/run does this)."
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def lab_environment(scratch: Path) -> dict[str, str]:
    """Settings, workspaces and Jupyter folders of this run only: the user's own are not read."""
    env = {key: value for key, value in os.environ.items() if key != "COURSE_ROOT"}
    folders = {
        "JUPYTERLAB_SETTINGS_DIR": scratch / "lab-settings",
        "JUPYTERLAB_WORKSPACES_DIR": scratch / "lab-workspaces",
        "JUPYTER_CONFIG_DIR": scratch / "config",
        "JUPYTER_DATA_DIR": scratch / "data",
        "JUPYTER_RUNTIME_DIR": scratch / "runtime",
    }
    for name, folder in folders.items():
        folder.mkdir(parents=True)
        env[name] = str(folder)
    for name, values in LAB_SETTINGS.items():
        target = folders["JUPYTERLAB_SETTINGS_DIR"] / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values, indent=2))
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    return env


def wait_until_ready(server: Server, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with {process.returncode}; see {log}")
        try:
            server.api("status")
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.25)
    raise RuntimeError(f"JupyterLab did not answer within {SERVER_START_SECONDS} s; see {log}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate the server (it shuts its kernels down), and kill it if it does not stop."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def jupyter_lab(course: Path, scratch: Path, log: Path) -> Iterator[Server]:
    server = Server(f"http://127.0.0.1:{free_port()}", secrets.token_hex(16))
    command = [
        str(Path(sys.executable).with_name("jupyter")),
        "lab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={server.url.rsplit(':', 1)[1]}",
        "--ServerApp.port_retries=0",
        "--ServerApp.allow_root=True",  # CI runs as root
        f"--IdentityProvider.token={server.token}",
        f"--ServerApp.root_dir={course}",
        "--LabApp.expose_app_in_browser=True",
        # Nothing reaches the internet: no update check, no extension manager asking PyPI.
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=course, env=lab_environment(scratch), stdout=output, stderr=output
        )
        try:
            wait_until_ready(server, process, log)
            yield server
        finally:
            stop(process)


def saved_problems(path: Path) -> list[str]:
    """What the notebook saved from the browser says: no error outputs, every code cell run."""
    notebook = nbformat.read(path, as_version=4)
    problems = [f"saved cell {index}: {error}" for index, error in error_cells(notebook)]
    not_run = [
        str(index)
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and cell.source.strip() and cell.execution_count is None
    ]
    if not_run:
        problems.append(f"saved cells not executed: {', '.join(not_run)}")
    return problems


def shut_down_kernels(server: Server) -> None:
    for session in server.api("sessions"):
        server.api(f"sessions/{session['id']}", method="DELETE")


def choose_menu(page: Page, menu: str, command: str) -> None:
    page.locator(".lm-MenuBar-item", has_text=re.compile(f"^{menu}$")).click()
    page.locator(f'.lm-Menu-item[data-command="{command}"]').click()


def take_screenshots(page: Page, notebook: str, target: Path) -> None:
    """The whole notebook (the viewport grows until it fits), then the stage-check area."""
    height = VIEWPORT["height"]
    for _ in range(SCREENSHOT_FIT_ATTEMPTS):  # outputs and diagrams can reflow as the page grows
        hidden = page.evaluate(HIDDEN_HEIGHT, notebook)
        if hidden <= 1 or height >= MAX_SCREENSHOT_HEIGHT:
            break
        height = min(height + hidden, MAX_SCREENSHOT_HEIGHT)
        page.set_viewport_size({"width": VIEWPORT["width"], "height": height})
    page.screenshot(path=target.with_suffix(".png"))
    check = page.locator(".jp-CodeCell", has_text="check_stage(").last
    if check.count():
        # The check cell, with the Markdown cell introducing it when there is one.
        above = check.locator("xpath=preceding-sibling::*[1][contains(@class, 'jp-MarkdownCell')]")
        shown = [above, check] if above.count() else [check]
        for cell in shown:  # a notebook taller than the largest screenshot may hide them
            cell.scroll_into_view_if_needed()
        clip = union([cell.bounding_box() for cell in shown])
        page.screenshot(path=target.with_suffix(".check.png"), clip=clip)


def union(boxes: list[FloatRect | None]) -> FloatRect:
    present = [box for box in boxes if box]
    left, top = min(b["x"] for b in present), min(b["y"] for b in present)
    right = max(b["x"] + b["width"] for b in present)
    bottom = max(b["y"] + b["height"] for b in present)
    return {"x": left, "y": top, "width": right - left, "height": bottom - top}


def run_all_and_save(page: Page, notebook: str) -> list[str]:
    """Run → Run All Cells, wait until every cell is done, File → Save; the cells' errors."""
    page.wait_for_function(KERNEL_IDLE, arg=notebook, timeout=KERNEL_START_MS)
    choose_menu(page, "Run", "runmenu:run-all")
    page.wait_for_function(RUN_FINISHED, arg=notebook, timeout=RUN_ALL_MS, polling=250)
    errors = page.evaluate(CELL_ERRORS, notebook)
    choose_menu(page, "File", "docmanager:save")
    page.wait_for_function(SAVED, arg=notebook, timeout=SAVE_MS)
    return [
        f"cell {error['index']}: {error['error']}"
        for error in errors
        if ALLOWED_ERROR_TAG not in error["tags"]
    ]


def test_notebook(
    browser: Browser, server: Server, item: Stage, course: Path, out: Path, learner: bool
) -> Result:
    """One notebook in a fresh browser context and workspace; its kernel is shut down after."""
    from playwright.sync_api import Error as PlaywrightError

    result = Result(item)
    notebook = item.path.relative_to(course).as_posix()
    started = time.perf_counter()
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.on("pageerror", lambda error: print(f"  page error: {error}"))
    try:
        page.goto(server.page(f"test-{item.label}", notebook))
        result.problems += run_all_and_save(page, notebook)
        result.problems += saved_problems(item.path)
        if learner:  # every hole empty: the check must name what is left to write
            result.problems += check_says_not_yet(nbformat.read(item.path, as_version=4), item)
        take_screenshots(page, notebook, out / item.path.stem)
    except PlaywrightError as error:  # a timeout or a page that broke: report it, keep a picture
        result.problems.append(f"{type(error).__name__}: {error.message.splitlines()[0]}")
        page.screenshot(path=out / f"{item.path.stem}.failure.png")
    finally:
        context.close()
        shut_down_kernels(server)
    result.seconds = time.perf_counter() - started
    return result


def report(result: Result, out: Path) -> None:
    """One line per notebook; a failed one is kept, as the browser saved it, beside its picture."""
    mark = "✓" if not result.problems else "✗"
    print(f"{mark} {result.stage.path.name} {result.seconds:.1f} s", flush=True)
    for problem in result.problems:
        print(f"    {problem.splitlines()[0][:300]}", flush=True)
    if result.problems:
        shutil.copyfile(result.stage.path, out / result.stage.path.name)


@contextmanager
def learner_edition(root: Path) -> Iterator[Path]:
    """A fresh learner workspace of the course at `root`: every hole empty, no course_app yet."""
    with tempfile.TemporaryDirectory(prefix="learner-") as scratch:
        build_edition(root, Path(scratch))
        yield Path(scratch)


def run_browser_test(root: Path, numbers: list[int], learner: bool = False) -> list[Result]:
    from playwright.sync_api import sync_playwright

    out = root / "test-results" / "browser" / ("learner" if learner else "")
    out.mkdir(parents=True, exist_ok=True)
    results = []
    with (
        learner_edition(root) if learner else clean_copy(root) as course,
        tempfile.TemporaryDirectory(prefix="lab-") as scratch,
        jupyter_lab(course, Path(scratch), out / "jupyter-server.log") as server,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for item in stages(course):
                if numbers and item.number not in numbers:
                    continue
                results.append(test_notebook(browser, server, item, course, out, learner))
                report(results[-1], out)
        finally:
            browser.close()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_tools.maintainer.browser", description=__doc__
    )
    parser.add_argument("numbers", type=int, nargs="*", help="only these notebooks (default: all)")
    parser.add_argument(
        "--learner", action="store_true", help="the learner edition, every hole empty"
    )
    args = parser.parse_args(argv)
    require_chromium()
    if importlib.util.find_spec("playwright") is None:
        raise SystemExit(
            "The browser test needs Playwright for Python: pip install -e '.[browser]' "
            "(`make test-browser` does it)."
        )
    root = find_root()
    started = time.perf_counter()
    results = run_browser_test(root, args.numbers, args.learner)
    failed = sum(bool(result.problems) for result in results)
    edition = "learner edition, every hole empty" if args.learner else "full edition"
    print(f"Browser test of {len(results)} notebooks ({edition}) in ", end="")
    print(f"{time.perf_counter() - started:.0f} s.")
    print("Screenshots, and any failed notebook as saved: test-results/browser/")
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main())
