"""The container image, without a container daemon: its Dockerfile passes hadolint, and its start
command runs as a non-root user, in a fresh virtual environment that holds only
deploy/requirements.txt and a copy of course_app, exactly what the image holds.

The start command is slow (it builds a virtual environment): `make test-slow` runs it.
"""

import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from course_tools.ports import LOOPBACK, free_port

REPO = Path(__file__).resolve().parents[2]
HADOLINT = Path(sys.executable).with_name("hadolint")
UNPRIVILEGED = "nobody"


def test_dockerfile_passes_hadolint() -> None:
    result = subprocess.run(
        [str(HADOLINT), "--no-color", str(REPO / "Dockerfile")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_runs_as_a_numeric_non_root_user_with_a_healthcheck() -> None:
    lines = (REPO / "Dockerfile").read_text().splitlines()
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1].isdigit() and users[-1] != "0"
    assert any(line.startswith("HEALTHCHECK ") for line in lines)
    assert lines[-1] == 'CMD ["./start.sh"]'


def demote() -> dict[str, object]:
    """Run as `nobody` when the tests run as root, as the image's USER would."""
    if os.geteuid() != 0:
        return {}
    return {"user": UNPRIVILEGED, "group": "nogroup", "extra_groups": []}


def unprivileged_python() -> str:
    """This Python's version, at a path the unprivileged user can run (pyenv's may sit in /root)."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    candidates = [str(Path(sys.base_prefix) / "bin" / version)]
    candidates += [
        found for found in [shutil.which(version, path="/usr/local/bin:/usr/bin")] if found
    ]
    for candidate in candidates:
        try:
            check = subprocess.run([candidate, "-c", "import venv"], **demote())  # type: ignore[call-overload]
        except OSError:  # a folder on the way is closed to that user
            continue
        if check.returncode == 0:
            return candidate
    pytest.fail(f"no {version} that {UNPRIVILEGED} may run: tried {candidates}")


@pytest.fixture(scope="module")
def image() -> Iterator[Path]:
    """A folder laid out like the image: /venv with the service's pins, /srv with the code."""
    with tempfile.TemporaryDirectory(prefix="course-image-") as folder:
        root = Path(folder)
        root.chmod(0o755)  # pytest's own temporary folders are private to root
        yield from build_image(root)


def build_image(root: Path) -> Iterator[Path]:
    venv = root / "venv"
    subprocess.run([unprivileged_python(), "-m", "venv", str(venv)], check=True)
    pip = str(venv / "bin" / "pip")
    # As the Dockerfile does: the pins, anything only this Python needs, then `pip check`.
    install = [pip, "install", "--quiet", "--requirement", str(REPO / "deploy/requirements.txt")]
    subprocess.run(install, check=True)
    subprocess.run([pip, "check"], check=True)
    srv = root / "srv"
    shutil.copytree(
        REPO / "course_app", srv / "course_app", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy2(REPO / "deploy" / "start.sh", srv / "start.sh")
    data = root / "data"  # the only folder the service may write to
    data.mkdir()
    if os.geteuid() == 0:
        entry = pwd.getpwnam(UNPRIVILEGED)
        os.chown(data, entry.pw_uid, entry.pw_gid)
    yield root


@pytest.mark.slow
def test_start_command_migrates_then_serves_as_non_root(image: Path) -> None:
    port = free_port()
    env = {
        "PATH": f"{image / 'venv' / 'bin'}:/usr/bin:/bin",
        "PYTHONDONTWRITEBYTECODE": "1",
        "ENVIRONMENT": "production",
        "SECRET_KEY": "a-production-secret-of-at-least-32-characters",
        "DATABASE_URL": f"sqlite+aiosqlite:///{image / 'data' / 'shop.db'}",
        "ALLOWED_HOSTS": LOOPBACK,
        "FIRST_ADMIN_EMAIL": "admin@example.com",
        "FIRST_ADMIN_PASSWORD": "Adm1n!Passw0rd",
        "HOST": LOOPBACK,
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
    }
    process = subprocess.Popen(
        ["./start.sh"],
        cwd=image / "srv",
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        **demote(),  # type: ignore[call-overload]
    )
    try:
        url = f"http://{LOOPBACK}:{port}"
        with httpx.Client(base_url=url, trust_env=False, timeout=2.0) as client:
            deadline = time.monotonic() + 60
            while True:
                assert process.poll() is None, (
                    process.stdout.read().decode() if process.stdout else ""
                )
                try:
                    ready = client.get("/health/ready")
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, "the service never answered"
                    time.sleep(0.2)
            assert ready.status_code == 200, ready.text
            assert ready.json()["migrations"] == "ok"
            form = {"username": "admin@example.com", "password": "Adm1n!Passw0rd"}
            assert client.post("/auth/token", data=form).status_code == 200
            assert client.get("/docs").status_code == 404  # production: no docs unless asked
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=30)[0].decode(errors="replace")
    assert process.returncode == 0, output
    assert "Traceback" not in output, output
