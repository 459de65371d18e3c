"""`python -m course_tools binder`: what Binder does to the repository, without Docker.

repo2docker clones the repository, installs `binder/requirements.txt` into a fresh environment, runs
`binder/postBuild` from the repository root, and learners then run the notebooks top to bottom.
This does the same in a temporary folder, with a fresh virtual environment, and fails on any error.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from course_tools.maintainer.runner import NOT_COPIED


def repository_files(root: Path) -> list[str] | None:
    """What a clone would hold: tracked files plus new files git does not ignore (None: no git)."""
    command = [
        "git",
        "-C",
        str(root),
        "ls-files",
        "-z",
        "--cached",
        "--others",
        "--exclude-standard",
    ]
    try:
        listing = subprocess.run(command, capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    names = {name for name in listing.decode().split("\0") if name}
    return sorted(name for name in names if (root / name).is_file())


def copy_repository(root: Path, target: Path) -> None:
    names = repository_files(root)
    if names is None:
        shutil.copytree(root, target, ignore=NOT_COPIED)
        return
    for name in names:
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / name, destination)


def binder_environment(venv: Path, scratch: Path) -> dict[str, str]:
    """The environment of the image: its Python first on PATH, none of this machine's Jupyter set-up."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", "PYTHONHOME", "COURSE_ROOT"} and not key.startswith("JUPYTER")
    }
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR"):
        folder = scratch / "jupyter" / name.lower()
        folder.mkdir(parents=True, exist_ok=True)
        env[name] = str(folder)
    return env


def check_runtime(repo: Path) -> None:
    """Binder uses the Python of runtime.txt; say so if this one differs."""
    wanted = (repo / "binder" / "runtime.txt").read_text().strip().removeprefix("python-")
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    if wanted != here:
        print(f"Note: binder/runtime.txt asks for Python {wanted}; this simulation uses {here}.")


def run(command: list[str], cwd: Path, env: dict[str, str]) -> None:
    print("$", " ".join(command), flush=True)
    subprocess.run(command, cwd=cwd, env=env, check=True)


@contextmanager
def timed(label: str, timings: dict[str, float]) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        timings[label] = time.perf_counter() - started


def simulate(root: Path) -> int:
    """Build the Binder image's equivalent in a temporary folder, then run every notebook."""
    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="binder-") as folder:
        scratch = Path(folder)
        repo, venv = scratch / "repo", scratch / "venv"
        copy_repository(root, repo)
        check_runtime(repo)
        env = binder_environment(venv, scratch)
        python = str(venv / "bin" / "python")
        try:
            with timed("venv + requirements", timings):
                run([sys.executable, "-m", "venv", str(venv)], cwd=repo, env=env)
                # Binder's image has a current pip; the one venv bundles can be years older.
                run([python, "-m", "pip", "install", "-q", "--upgrade", "pip"], repo, env)
                run(
                    [python, "-m", "pip", "install", "-q", "-r", "binder/requirements.txt"],
                    repo,
                    env,
                )
            with timed("postBuild", timings):
                run(["./binder/postBuild"], cwd=repo, env=env)
                # The pins must satisfy every dependency the course declares.
                run([python, "-m", "pip", "check"], cwd=repo, env=env)
            with timed("notebooks", timings):
                # The learner edition, every hole empty, as a learner's first Run All.
                learner = repo / "learner"
                code = subprocess.run(
                    [python, "-m", "course_tools", "learner-run"], cwd=learner, env=env
                )
        except subprocess.CalledProcessError as error:
            print(
                f"Binder build failed: {' '.join(map(str, error.cmd))} exited {error.returncode}."
            )
            return 1
        finally:
            print("Timings: " + ", ".join(f"{k} {v:.0f} s" for k, v in timings.items()))
    verdict = "passed" if code.returncode == 0 else "FAILED"
    print(f"Binder simulation {verdict}.")
    return code.returncode
