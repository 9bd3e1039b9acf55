"""The container image: its stages built and its service started without a container engine.

No base image can be pulled on this machine or in CI (only package registries
are reachable), so ``docker build`` cannot run here; tests/container.py runs
the Dockerfile's own instructions instead (see its docstring). The slow test
builds both stages from a fresh copy (``npm ci`` and a build; a fresh venv
from ``requirements/run.txt``), starts ``CMD`` as the image's user with the
image's environment, and waits for the ``HEALTHCHECK`` to pass; the fast
ones pin what the Dockerfile and ``.dockerignore`` promise, and that a broken
Dockerfile is refused.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT, TIME_FACTOR
from tests.container import (
    BuiltStage,
    DockerfileError,
    DockerfileRun,
    DockerIgnore,
    interpreter_of,
    numeric_user,
    parse_dockerfile,
    python_stand_in,
)

DOCKERFILE = ROOT / "Dockerfile"
#: A base image pinned exactly: a full version in the tag and the digest of the index.
PINNED = re.compile(r"^[a-z0-9./-]+:\d+\.\d+\.\d+[a-z0-9.-]*@sha256:[0-9a-f]{64}$")


def test_the_dockerfile_has_a_node_build_stage_and_a_python_runtime_pinned_exactly() -> None:
    stages = parse_dockerfile(DOCKERFILE.read_text())
    assert [s.name for s in stages] == ["web", "runtime"]
    web, runtime = stages
    assert web.image.startswith("node:") and runtime.image.startswith("python:")
    for stage in stages:
        assert PINNED.match(stage.image), f"{stage.image}: pin version and digest"
    runtime_runs = " ".join(i.text for i in runtime.instructions if i.keyword == "RUN")
    for tool in ("npm", "node ", "apt-get", "gcc", "build-essential"):
        assert tool not in runtime_runs, f"the runtime image must not install {tool.strip()}"
    copies = [i.text for i in runtime.instructions if i.keyword == "COPY"]
    assert "--from=web /src/web/dist ./web/dist" in copies
    assert not any("node_modules" in c for c in copies)
    keywords = [i.keyword for i in runtime.instructions]
    assert "HEALTHCHECK" in keywords and "USER" in keywords
    user = next(i.text for i in runtime.instructions if i.keyword == "USER")
    assert numeric_user(user) is not None and not user.startswith("0"), "never root"


def test_python_packages_install_only_from_the_hashed_lock() -> None:
    runtime = parse_dockerfile(DOCKERFILE.read_text())[-1]
    pips = [i.text for i in runtime.instructions if i.keyword == "RUN" and "pip install" in i.text]
    assert len(pips) == 2, pips
    lock, project = pips
    assert "--require-hashes --no-deps" in lock and "-r requirements/run.txt" in lock
    assert "--only-binary=:all:" in lock, "wheels only: no compiler in the image"
    assert "--no-deps" in project and "-e ." in project


@pytest.mark.parametrize(
    "path",
    [
        ".git/HEAD",
        ".venv/bin/python",
        "web/node_modules/three/package.json",
        "node_modules/x/index.js",
        "data/metaexpo.sqlite3",
        "data/secret_key",
        "web/dist/index.html",
        "server/metaexpo/__pycache__/config.cpython-311.pyc",
        "server/metaexpo.egg-info/PKG-INFO",
        ".pytest_cache/v/cache",
        ".mypy_cache/3.11/x.json",
        ".ruff_cache/x",
        ".tools/bin/uv",
        ".env",
        "bench/tmp/run.json",
        "tests/conftest.py",
    ],
)
def test_dockerignore_keeps_local_state_and_builds_out(path: str) -> None:
    assert DockerIgnore((ROOT / ".dockerignore").read_text()).excludes(path)


@pytest.mark.parametrize(
    "path",
    [
        "server/metaexpo/config.py",
        "web/src/main.js",
        "web/package-lock.json",
        "requirements/run.txt",
        "scenes/expo.yaml",
        "avatars/manifest.json",
        "assets/icons/favicon.svg",
        "README.md",
        "pyproject.toml",
        ".env.example",
    ],
)
def test_dockerignore_keeps_what_the_image_needs(path: str) -> None:
    assert not DockerIgnore((ROOT / ".dockerignore").read_text()).excludes(path)


def test_dockerignore_rules_follow_docker() -> None:
    rules = DockerIgnore("**/node_modules\n*.md\n!README.md\nweb/dist\n")
    assert rules.excludes("a/b/node_modules/x.js") and rules.excludes("node_modules")
    assert rules.excludes("NOTES.md") and not rules.excludes("README.md")
    assert not rules.excludes("docs/x.md"), "*.md matches only at the top"
    assert rules.excludes("web/dist/app/main.js") and not rules.excludes("web/distx")


def _broken(tmp_path: Path, change: tuple[str, str]) -> DockerfileRun:
    text = DOCKERFILE.read_text()
    old, new = change
    assert old in text
    for name in ("server", "web", "scenes", "avatars", "assets", "requirements"):
        (tmp_path / name).symlink_to(ROOT / name)
    for name in ("pyproject.toml", "README.md", ".dockerignore"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "Dockerfile").write_text(text.replace(old, new))
    return DockerfileRun(tmp_path / "Dockerfile", tmp_path / "work", stand_ins=tmp_path / "bin")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (("AS web", "AS client"), "--from=web names no earlier stage"),
        (("COPY assets ./assets", "COPY art ./assets"), "art is not in the build context"),
        (("COPY web/src ./src", "COPY web/dist ./src"), "kept out by .dockerignore"),
        (
            ('install -d -o 10001 -g 10001 -m 0750 "$METAEXPO_DATA_DIR"', "mkdir -p /data"),
            "literal",
        ),
    ],
)
def test_a_broken_dockerfile_is_refused_before_anything_runs(
    tmp_path: Path, change: tuple[str, str], reason: str
) -> None:
    run = _broken(tmp_path, change)
    with pytest.raises(DockerfileError, match=re.escape(reason)):
        run.plan()


# --- the slow one: both stages built, the service started --------------------------------------


@dataclass
class Image:
    """The runtime stage after the build, and where its build log went."""

    runtime: BuiltStage
    log: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def image() -> Iterator[Image]:
    """Both stages built from the checkout into a fresh temporary folder (minutes)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.fail("node and npm are needed for the web stage: run scripts/bootstrap test")
    if os.geteuid() != 0:
        pytest.fail(
            "the image's RUN lines give the data folder to the image's user (chown) and the "
            "service runs as that user: run this check as root, as CI does"
        )
    # Not under pytest's tmp_path: that is private to root, and the service runs as the
    # image's user, who must read the image's files.
    work = Path(tempfile.mkdtemp(prefix="metaexpo-image-"))
    work.chmod(0o755)
    log = work / "build.log"
    try:
        stages = parse_dockerfile(DOCKERFILE.read_text())
        stand_ins = python_stand_in(work / "stand-ins", interpreter_of(stages))
        with log.open("w") as out:

            def note(line: str) -> None:
                out.write(line + "\n")
                out.flush()

            run = DockerfileRun(
                DOCKERFILE,
                work / "stages",
                stand_ins=stand_ins,
                log=note,
                timeout=900 * TIME_FACTOR,
            )
            runtime = run.build()
        yield Image(runtime, log)
    finally:
        shutil.rmtree(work, ignore_errors=True)


@pytest.mark.slow
def test_the_runtime_stage_holds_the_service_and_no_build_tools(image: Image) -> None:
    app = image.runtime.host(image.runtime.workdir)
    assert (app / "web" / "dist" / "index.html").is_file()
    assert not list(app.rglob("node_modules")), "no node_modules in the runtime image"
    assert not (app / "web" / "src").exists() and not (app / "tests").exists()
    assert (app / "assets" / "icons" / "favicon.svg").is_file()
    venv = image.runtime.host(image.runtime.env["VIRTUAL_ENV"])
    assert (venv / "bin" / "metaexpo").is_file()
    data = image.runtime.host(image.runtime.env["METAEXPO_DATA_DIR"])
    uid, _ = numeric_user(image.runtime.user) or (0, 0)
    assert data.stat().st_uid == uid and not any(data.iterdir())
    assert image.runtime.volumes == [image.runtime.env["METAEXPO_DATA_DIR"]]


@pytest.mark.slow
def test_the_image_serves_the_client_as_its_user_and_passes_its_healthcheck(image: Image) -> None:
    runtime = image.runtime
    port = _free_port()
    env = runtime.host_env()
    # Loopback instead of the image's 0.0.0.0: this runs on a shared machine.
    env |= {
        "METAEXPO_HOST": "127.0.0.1",
        "METAEXPO_PORT": str(port),
        "METAEXPO_LOG_LEVEL": "warning",
    }
    user = numeric_user(runtime.user)
    uid, gid = user if user is not None else (None, None)
    groups: list[int] | None = [] if user is not None else None
    log = image.log.with_name("service.log")
    with log.open("wb") as out:
        service = subprocess.Popen(
            runtime.cmd,
            cwd=runtime.host(runtime.workdir),
            env=env,
            stdout=out,
            stderr=out,
            user=uid,
            group=gid,
            extra_groups=groups,
        )
    try:
        deadline = time.monotonic() + 180 * TIME_FACTOR
        while True:
            check = subprocess.run(
                runtime.healthcheck,
                env=env,
                capture_output=True,
                timeout=30,
                check=False,
                user=uid,
                group=gid,
                extra_groups=groups,
            )
            if check.returncode == 0:
                break
            assert service.poll() is None, f"the service stopped:\n{log.read_text()[-3000:]}"
            assert time.monotonic() < deadline, (
                f"HEALTHCHECK never passed: {check.stderr[-500:]!r}\n{log.read_text()[-3000:]}"
            )
            time.sleep(0.5)
        base = f"http://127.0.0.1:{port}"
        page = httpx.get(f"{base}/", timeout=10)
        assert page.status_code == 200, "the web client is in the image"
        bundle = re.search(r'src="(/app/main-[A-Z0-9]+\.js)"', page.text)
        assert bundle and httpx.get(base + bundle.group(1), timeout=10).status_code == 200
        for path in ("/docs", "/redoc", "/favicon.svg", "/licenses/noto-sans-sc.txt"):
            assert httpx.get(base + path, timeout=10).status_code == 200, path
        assert user is not None, "the image names its USER"
        status = Path(f"/proc/{service.pid}/status").read_text()
        assert re.search(rf"^Uid:\s+{user[0]}\b", status, re.MULTILINE), "runs as USER"
    finally:
        service.terminate()
        try:
            service.wait(30 * TIME_FACTOR)
        except subprocess.TimeoutExpired:
            service.kill()
            service.wait()
