"""The test run's own PostgreSQL never outlives the run: not when a test fails, not when the run
is interrupted (Ctrl-C, SIGTERM), not even when it is killed outright (SIGKILL).

Each case runs a small pytest session in a process of its own, whose one test
takes the ``postgres`` fixture, writes down the server's processes and folder,
and then fails or waits for the signal; afterwards none of those processes
may be running.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, TIME_FACTOR
from tests.throwaway_postgres import FOLDER_PREFIX, remove_orphaned_folders

INNER_TEST = """
import os
import threading
from pathlib import Path


def test_holds_postgresql(postgres):
    children = Path(f"/proc/{postgres.pid}/task/{postgres.pid}/children").read_text().split()
    pids = " ".join([str(postgres.pid), *children])
    Path(os.environ["MARK"]).write_text(f"{pids}\\n{postgres.folder}\\n")
    if os.environ.get("WAIT"):
        threading.Event().wait(300)  # until the outer test sends its signal
    raise AssertionError("this test fails on purpose")
"""


WITHOUT_POSTGRESQL = """
import glob
import shutil

# As on a machine without Debian's postgresql package: nothing on PATH, no /usr/lib/postgresql.
shutil.which = lambda *args, **kwargs: None
glob.glob = lambda *args, **kwargs: []


def test_needs_postgresql(postgres):
    pass
"""


def running(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie waiting for its parent counts as gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return fields[0] != "Z"


def wait_until(condition: object, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout * TIME_FACTOR
    while not callable(condition) or not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def inner_session(
    tmp_path: Path, *, wait: bool, source: str = INNER_TEST
) -> tuple[subprocess.Popen[bytes], Path]:
    test = tmp_path / "test_inner.py"
    test.write_text(source)
    mark = tmp_path / "mark"
    env = {**os.environ, "MARK": str(mark), "WAIT": "1" if wait else ""}
    env["PYTHONFAULTHANDLER"] = "1"  # a stuck run dumps its threads' stacks (see stop_within)
    args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    args += ["-p", "tests.databases", "--rootdir", str(tmp_path), str(test)]
    log = (tmp_path / "inner.log").open("wb")
    proc = subprocess.Popen(
        args,
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        # A run started in the background of a shell without job control (nohup ... &)
        # inherits SIGINT ignored, and Python then installs no KeyboardInterrupt handler:
        # the inner run must get Ctrl-C as a terminal would deliver it.
        preexec_fn=_default_sigint,  # noqa: PLW1509 (one call, before exec)
    )
    log.close()
    return proc, mark


def stop_within(proc: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    """Wait for the inner run to exit; if it does not, fail with the stacks it was stuck in."""
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGABRT)  # faulthandler writes every thread's stack to the log
        proc.wait(30)
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-60:])
        raise AssertionError(f"the inner run did not exit within {timeout:g} s:\n{tail}") from None


def server_of(mark: Path) -> tuple[list[int], Path]:
    pids, folder = mark.read_text().splitlines()
    return [int(p) for p in pids.split()], Path(folder)


def test_without_postgresql_its_tests_fail_and_say_how_to_install_it(tmp_path: Path) -> None:
    proc, _ = inner_session(tmp_path, wait=False, source=WITHOUT_POSTGRESQL)
    assert proc.wait(120 * TIME_FACTOR) == 1
    output = (tmp_path / "inner.log").read_text()
    assert "1 error" in output and "skipped" not in output
    assert "PostgreSQL's server (initdb, postgres) is not installed" in output
    assert "run scripts/bootstrap test" in output


def test_a_failing_test_leaves_no_postgresql_running(tmp_path: Path) -> None:
    proc, mark = inner_session(tmp_path, wait=False)
    assert proc.wait(120 * TIME_FACTOR) == 1, (tmp_path / "inner.log").read_text()
    pids, folder = server_of(mark)
    assert len(pids) > 1, "the postmaster and its helper processes were recorded"
    assert [pid for pid in pids if running(pid)] == []
    assert not folder.exists()


@pytest.mark.parametrize(
    "signum", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=lambda s: s.name
)
def test_an_interrupted_or_killed_run_leaves_no_postgresql_running(
    tmp_path: Path, signum: signal.Signals
) -> None:
    proc, mark = inner_session(tmp_path, wait=True)
    try:
        wait_until(lambda: mark.exists() and mark.read_text().endswith("\n"), "no server started")
        pids, folder = server_of(mark)
        assert running(pids[0]), "the postmaster runs while the test holds it"
        proc.send_signal(signum)
        stop_within(proc, tmp_path / "inner.log", 60 * TIME_FACTOR)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    wait_until(lambda: not any(running(pid) for pid in pids), "a PostgreSQL process survived")
    if signum == signal.SIGKILL:
        # Nothing of the killed run could clean up its folder; the next run removes it.
        assert folder.exists()
        assert folder in remove_orphaned_folders(folder.parent)
    assert not folder.exists()
    assert folder.name.startswith(FOLDER_PREFIX)
