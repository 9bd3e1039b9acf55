"""A PostgreSQL server of the test run's own: a temporary cluster on a free loopback port.

Debian's ``postgresql`` package provides the binaries (``scripts/bootstrap test``
installs it); its own cluster and service are never touched. :meth:`start`
runs ``initdb`` into a temporary folder and the ``postgres`` server as a child
of this process (as the ``postgres`` user when we are root, since PostgreSQL
refuses to run as root), with durability off (``fsync=off``: a test cluster
is thrown away), trust authentication for loopback only, and a time zone
that is not UTC (``Asia/Shanghai``), as on many real servers.

Nothing outlives the run:

* :meth:`stop` (the session fixture's ``finally``) shuts the server down and
  removes the folder;
* an ``atexit`` hook and SIGTERM / SIGHUP handlers do the same when the run
  ends another way;
* the server is started with a parent-death signal (``PR_SET_PDEATHSIG``):
  if this process is killed outright (SIGKILL), the kernel tells the
  postmaster to shut down immediately;
* a folder left by such a killed run is removed by the next one.

Each test gets a database of its own with :meth:`create_database` (a copy of
a template already migrated, or an empty one) and loses it with
:meth:`drop_database`.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import psycopg
from psycopg import sql

#: The superuser of the throwaway cluster (trust authentication: no password).
USER = "metaexpo"
#: Prefix of the temporary folders; a folder whose run died is removed by the next run.
FOLDER_PREFIX = "metaexpo-pg-"
OWNER_FILE = "owner.pid"
_PR_SET_PDEATHSIG = 1
INSTALL_HINT = (
    "run scripts/bootstrap test (it installs Debian's postgresql package; no service is started)"
)
_LIBC = ctypes.CDLL(None, use_errno=True)


def _die_with_parent() -> None:
    # In the child, after Popen switched users (which would clear the setting): when the
    # thread that started it dies (pytest's main thread, where session fixtures run), even
    # by SIGKILL, the kernel sends the postmaster SIGQUIT, its immediate shutdown.
    _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGQUIT, 0, 0, 0)


class PostgresMissing(RuntimeError):
    """PostgreSQL's server programs are not installed; the message says how to get them."""


class PostgresFailed(RuntimeError):
    """The throwaway server did not start; the message holds the end of its log."""


def find_bindir() -> Path:
    """The folder holding ``initdb`` and ``postgres`` (:class:`PostgresMissing` if none).

    ``pg_config --bindir`` first (it names the installed major version), then
    the newest ``/usr/lib/postgresql/<major>/bin`` of Debian's packages, then ``PATH``.
    """
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=10
            )
            candidates.append(Path(out.stdout.strip()))
    versions = glob.glob("/usr/lib/postgresql/*/bin")
    candidates += sorted((Path(v) for v in versions), key=_major, reverse=True)
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).resolve().parent)
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "postgres").is_file():
            return folder
    raise PostgresMissing(
        f"PostgreSQL's server (initdb, postgres) is not installed: {INSTALL_HINT}"
    )


def _major(bindir: Path) -> int:
    try:
        return int(bindir.parent.name)
    except ValueError:
        return 0


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_orphaned_folders(parent: Path) -> list[Path]:
    """Remove the folders of earlier runs that were killed before they could (returns them).

    A folder is orphaned when the process named in its ``owner.pid`` is gone;
    the folders of runs still going (other checkouts, other test sessions) stay.
    """
    removed = []
    for folder in parent.glob(f"{FOLDER_PREFIX}*"):
        try:
            owner = int((folder / OWNER_FILE).read_text())
        except (OSError, ValueError):
            continue
        if not _alive(owner):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


class ThrowawayPostgres:
    """One temporary PostgreSQL cluster, its server process, and the databases made in it."""

    def __init__(self, bindir: Path | None = None, parent: Path | None = None) -> None:
        self.bindir = bindir or find_bindir()
        self.parent = Path(parent or tempfile.gettempdir())
        self.folder: Path | None = None
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self.template: str | None = None
        self._serial = 0
        self._previous_handlers: dict[int, Any] = {}
        self._account = self._run_as()

    # --- the server ---------------------------------------------------------------------------

    @staticmethod
    def _run_as() -> tuple[int, int] | None:
        """(uid, gid) of the ``postgres`` user when we are root (initdb refuses root)."""
        if os.geteuid() != 0:
            return None
        try:
            entry = pwd.getpwnam("postgres")
        except KeyError:
            raise PostgresMissing(
                f"running as root and there is no 'postgres' user to run PostgreSQL as: "
                f"{INSTALL_HINT}"
            ) from None
        return entry.pw_uid, entry.pw_gid

    def _as_owner(self) -> dict[str, Any]:
        """Popen arguments that run a program as the cluster's owner."""
        if self._account is None:
            return {}
        uid, gid = self._account
        return {"user": uid, "group": gid, "extra_groups": []}

    def _chown(self, path: Path) -> None:
        if self._account is not None:
            os.chown(path, *self._account)

    @property
    def log_path(self) -> Path:
        """The server's log file."""
        assert self.folder is not None
        return self.folder / "server.log"

    def start(self, timeout: float = 60.0) -> ThrowawayPostgres:
        """initdb into a new temporary folder and start the server; returns self when it answers."""
        remove_orphaned_folders(self.parent)
        self.folder = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX, dir=self.parent))
        (self.folder / OWNER_FILE).write_text(str(os.getpid()))
        self._chown(self.folder)
        self._install_safety_nets()
        try:
            self._initdb()
            for _ in range(3):  # another process may take the free port before the server binds it
                self.port = free_port()
                if self._serve(timeout):
                    return self
            raise PostgresFailed(f"PostgreSQL did not start:\n{self.log_tail()}")
        except BaseException:
            self.stop()
            raise

    def _initdb(self) -> None:
        assert self.folder is not None
        result = subprocess.run(
            [
                str(self.bindir / "initdb"),
                "--pgdata",
                str(self.folder / "data"),
                "--username",
                USER,
                "--auth",
                "trust",
                "--encoding",
                "UTF8",
                "--locale",
                "C.UTF-8",
                "--no-sync",
                "--no-instructions",
            ],
            **self._as_owner(),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if result.returncode != 0:
            raise PostgresFailed(f"initdb failed:\n{result.stdout}\n{result.stderr}")
        # Trust, and only from this machine: the server listens on 127.0.0.1 and its own socket.
        hba = self.folder / "data" / "pg_hba.conf"
        hba.write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")

    def _serve(self, timeout: float) -> bool:
        assert self.folder is not None
        log = self.log_path.open("ab")
        self._chown(self.log_path)
        settings = {
            "listen_addresses": "127.0.0.1",
            "port": str(self.port),
            "unix_socket_directories": str(self.folder),
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": "300",
            "shared_buffers": "32MB",
            "log_min_messages": "warning",
            # Not UTC, as many real servers: times must come back as the same instant anyway.
            "timezone": "Asia/Shanghai",
        }
        args = [str(self.bindir / "postgres"), "-D", str(self.folder / "data")]
        for name, value in settings.items():
            args += ["-c", f"{name}={value}"]
        self.proc = subprocess.Popen(
            args,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            **self._as_owner(),
            preexec_fn=_die_with_parent,  # noqa: PLW1509 (one C call; runs after the uid change)
            start_new_session=True,  # a Ctrl-C at the terminal reaches pytest, not the server
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.proc = None
                return False
            with (
                contextlib.suppress(psycopg.OperationalError),
                psycopg.connect(self.url("postgres", "postgresql"), connect_timeout=2),
            ):
                return True
            time.sleep(0.05)
        self._shutdown()
        return False

    def log_tail(self, lines: int = 30) -> str:
        """The end of the server's log."""
        if self.folder is None or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    @property
    def pid(self) -> int | None:
        """The postmaster's process id while it runs."""
        return None if self.proc is None else self.proc.pid

    def _shutdown(self, timeout: float = 30.0) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGINT)  # fast shutdown: clients disconnected, no waiting
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def stop(self) -> None:
        """Stop the server and remove its folder; safe to call twice, or after a failed start."""
        try:
            self._shutdown()
        finally:
            if self.folder is not None:
                shutil.rmtree(self.folder, ignore_errors=True)
                self.folder = None
            self._remove_safety_nets()

    # --- safety nets --------------------------------------------------------------------------

    def _install_safety_nets(self) -> None:
        atexit.register(self.stop)
        for signum in (signal.SIGTERM, signal.SIGHUP):
            with contextlib.suppress(ValueError):  # only the main thread may set handlers
                self._previous_handlers[signum] = signal.signal(signum, self._on_signal)

    def _remove_safety_nets(self) -> None:
        atexit.unregister(self.stop)
        for signum, previous in self._previous_handlers.items():
            with contextlib.suppress(ValueError):
                signal.signal(signum, previous)
        self._previous_handlers.clear()

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        self.stop()
        # Then die of the signal as we would have without this handler.
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    # --- databases ----------------------------------------------------------------------------

    def url(self, database: str, driver: str = "postgresql+psycopg") -> str:
        """The URL of ``database`` (``driver`` ``postgresql`` for libpq / psycopg itself)."""
        return f"{driver}://{USER}@127.0.0.1:{self.port}/{database}"

    def execute(self, statement: sql.Composable) -> None:
        """Run one statement in the maintenance database, outside a transaction."""
        with psycopg.connect(self.url("postgres", "postgresql"), autocommit=True) as connection:
            connection.execute(statement)

    def make_template(self, prepare: Callable[[str], None]) -> str:
        """A template database that ``prepare(url)`` filled (e.g. migrated); made once per run."""
        if self.template is None:
            name = "metaexpo_template"
            self.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            prepare(self.url(name))
            self.template = name
        return self.template

    def create_database(self, *, template: str | None = None) -> str:
        """A new database (empty, or a copy of ``template``); returns its URL."""
        self._serial += 1
        name = f"test_{os.getpid()}_{self._serial}"
        # FILE_COPY: the template is small, and with fsync off copying its files is quickest.
        query = sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY").format(
            sql.Identifier(name), sql.Identifier(template or "template0")
        )
        self.execute(query)
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Drop a database made by :meth:`create_database`, disconnecting whoever still uses it."""
        name = url.rsplit("/", 1)[1]
        self.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
