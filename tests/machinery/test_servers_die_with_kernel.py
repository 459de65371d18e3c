"""A kernel killed outright (SIGKILL: no `finally`, no `atexit`) leaves no server behind: each
server the course starts gets SIGTERM from Linux when its parent dies."""

import signal
import subprocess
import sys
import textwrap

import psutil
import pytest

pytestmark = [
    pytest.mark.heavy,  # real servers: `make test-slow` runs it
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's"),
]

STARTERS = {
    "redis": "from course_tools.redis_server import running_redis as running",
    "postgres": "from course_tools.postgres_server import running_postgres as running",
}


@pytest.mark.parametrize("server", sorted(STARTERS))
def test_a_killed_parent_takes_its_server_along(server: str) -> None:
    script = textwrap.dedent(f"""
        import time
        {STARTERS[server]}
        with running(honour_env=False) as url:
            print(url, flush=True)
            time.sleep(600)
    """)
    with subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    ) as parent:
        children: list[psutil.Process] = []
        try:
            assert parent.stdout is not None
            url = parent.stdout.readline().decode().strip()
            assert url, f"the {server} server did not start"
            children = psutil.Process(parent.pid).children()
            assert children, f"no {server} process under the parent"
            parent.send_signal(signal.SIGKILL)
            parent.wait()
            _, alive = psutil.wait_procs(children, timeout=15)
            assert not alive, f"{server} outlived its killed parent: {alive}"
        finally:
            parent.kill()
            for child in children:  # orphans now, if the test failed: stopped all the same
                if child.is_running():
                    child.kill()
