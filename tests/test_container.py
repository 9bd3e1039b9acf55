"""The container image: its stages built and its service started without a container engine.

No base image can be pulled on this machine or in CI (only package registries
are reachable), so ``docker build`` cannot run here; tests/container.py runs
the Dockerfile's own instructions instead (see its docstring: each stage has
only its base image's commands and what it adds). The slow tests build both
stages from a fresh copy (``npm ci`` and a build; a fresh venv from
``requirements/run.txt``; Debian packages from this machine's), then start
``CMD`` as the image's user with the image's environment against PostgreSQL,
as docker-compose.yml runs it, wait for the ``HEALTHCHECK``, upload a model
(which the Khronos glTF-Validator must pass) and back the database up with
the image's ``pg_dump``. The fast ones pin what the Dockerfile and
``.dockerignore`` promise, that a broken Dockerfile is refused, and that the
emulation itself hides what the image would not have.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import stat
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from metaexpo.scenes import load_catalog
from tests.backoffice import STAFF_LOGIN, STAFF_PASSWORD, Expo
from tests.conftest import ROOT, TIME_FACTOR
from tests.container import (
    BuiltStage,
    DockerfileError,
    DockerfileRun,
    DockerIgnore,
    Instruction,
    apt_get_main,
    apt_installs,
    host_release,
    numeric_user,
    parse_dockerfile,
    postgresql_client_major_of,
)
from tests.models.gltf_factory import cube_glb
from tests.throwaway_postgres import ThrowawayPostgres

DOCKERFILE = ROOT / "Dockerfile"
#: A base image pinned exactly: a full version in the tag and the digest of the index.
PINNED = re.compile(r"^[a-z0-9./-]+:\d+\.\d+\.\d+[a-z0-9.-]*@sha256:[0-9a-f]{64}$")
#: Debian packages that build software rather than run it: never in the runtime image.
BUILD_PACKAGES = re.compile(
    r"^(gcc|g\+\+|cpp|clang|make|cmake|build-essential|nodejs|npm|git)(-[0-9.]+)?$|-dev$"
)
#: Commands the runtime image must not have: Node's package managers, compilers, build tools.
BUILD_COMMANDS = ("npm", "npx", "corepack", "yarn", "gcc", "cc", "c++", "g++", "make", "ld")
#: What the runtime takes from the web stage: the client's build, and node and the one npm
#: package the Khronos glTF-Validator needs.
FROM_WEB = {
    "/src/web/dist ./web/dist",
    "/usr/local/bin/node /usr/local/bin/node",
    "/src/web/node_modules/gltf-validator ./web/node_modules/gltf-validator",
}
#: Every Debian image has these: the C library and its loader.
DEBIAN_ESSENTIAL = {"libc6"}


def _runtime() -> list[Instruction]:
    return parse_dockerfile(DOCKERFILE.read_text())[-1].instructions


def postgresql_client_major() -> int:
    """The major version of the PostgreSQL client tools the runtime image installs."""
    return postgresql_client_major_of(DOCKERFILE)


def test_the_dockerfile_has_a_node_build_stage_and_a_python_runtime_pinned_exactly() -> None:
    stages = parse_dockerfile(DOCKERFILE.read_text())
    assert [s.name for s in stages] == ["web", "runtime"]
    web, runtime = stages
    assert web.image.startswith("node:") and runtime.image.startswith("python:")
    for stage in stages:
        assert PINNED.match(stage.image), f"{stage.image}: pin version and digest"
    keywords = [i.keyword for i in runtime.instructions]
    assert "HEALTHCHECK" in keywords and "USER" in keywords
    user = next(i.text for i in runtime.instructions if i.keyword == "USER")
    assert numeric_user(user) is not None and not user.startswith("0"), "never root"


def test_the_runtime_gets_node_and_the_validator_from_the_web_stage_and_nothing_else() -> None:
    copies = [i.text for i in _runtime() if i.keyword == "COPY"]
    from_web = {c.removeprefix("--from=web ") for c in copies if c.startswith("--from=web ")}
    assert from_web == FROM_WEB
    assert [c for c in copies if "node_modules" in c] == [
        "--from=web /src/web/node_modules/gltf-validator ./web/node_modules/gltf-validator"
    ], "no node_modules but the validator's"
    assert "web/tools/validate-gltf.mjs ./web/tools/" in copies
    runs = " ".join(i.text for i in _runtime() if i.keyword == "RUN")
    for tool in ("npm", "npx", "corepack", "node", "gcc", "make"):
        assert not re.search(rf"(?<![\w.-]){tool}(?![\w.-])", runs), f"no {tool} in the runtime"


def test_the_runtime_adds_runtime_debian_packages_only_and_keeps_no_apt_lists() -> None:
    packages = apt_installs(_runtime())
    assert packages, "postgresql-client for backups, the C++ runtime for node"
    assert not [p for p in packages if BUILD_PACKAGES.search(p)], packages
    for ins in _runtime():
        if ins.keyword == "RUN" and "apt-get install" in ins.text:
            assert "--no-install-recommends" in ins.text and "--yes" in ins.text
            assert "apt-get update" in ins.text, "lists and install in one layer"
            assert ins.text.rstrip().endswith("rm -rf /var/lib/apt/lists/*"), "no lists kept"


def test_python_packages_install_only_from_the_hashed_lock() -> None:
    pips = [i.text for i in _runtime() if i.keyword == "RUN" and "pip install" in i.text]
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
        "web/node_modules/gltf-validator/index.js",
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
        "web/tools/validate-gltf.mjs",
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
    return DockerfileRun(tmp_path / "Dockerfile", tmp_path / "work")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (("AS web", "AS client"), "--from=web names no earlier stage"),
        (("COPY assets ./assets", "COPY art ./assets"), "art is not in the build context"),
        (("COPY web/src ./src", "COPY web/dist ./src"), "kept out by .dockerignore"),
        (
            ('install -d -o 10001 -g 10001 -m 0700 "$METAEXPO_DATA_DIR"', "mkdir -p /data"),
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


# --- the emulation hides what the image would not have -----------------------------------------


def _need_root() -> None:
    if os.geteuid() != 0:
        pytest.fail(
            "the image's RUN lines run in a mount namespace of their own, give the data folder "
            "to the image's user (chown) and the service runs as that user: run this check as "
            "root, as CI does"
        )


def _runtime_base() -> str:
    return parse_dockerfile(DOCKERFILE.read_text())[-1].image


def _bare(tmp_path: Path, *runs: str) -> DockerfileRun:
    """A one-stage Dockerfile on the runtime's base image with these RUN lines."""
    tmp_path.chmod(0o755)
    lines = [f"FROM {_runtime_base()} AS runtime", *(f"RUN {r}" for r in runs)]
    (tmp_path / "Dockerfile").write_text("\n".join(lines) + "\n")
    return DockerfileRun(tmp_path / "Dockerfile", tmp_path / "work")


def test_a_stage_has_its_base_images_commands_and_not_this_machines(tmp_path: Path) -> None:
    _need_root()
    for tool in ("node", "pg_dump", "gcc"):
        assert shutil.which(tool), f"{tool} must be on this machine for this check to mean much"
    lists = sorted(os.listdir("/var/lib/apt/lists"))
    stage = _bare(tmp_path, "python --version && bash --version", "rm -rf /var/lib/apt/lists/*")
    built = stage.build()
    for present in ("python", "python3", "bash", "sh", "install", "apt-get", "perl"):
        assert built.which(present), f"a Debian python image has {present}"
    for absent in ("node", "pg_dump", "pg_restore", "psql", *BUILD_COMMANDS):
        assert built.which(absent) is None, f"the bare base image has no {absent}"
    assert sorted(os.listdir("/var/lib/apt/lists")) == lists, "this machine's lists are kept"


def test_a_run_line_cannot_change_this_machines_system_folders(tmp_path: Path) -> None:
    _need_root()
    probe = Path("/usr/local/lib") / f"metaexpo-probe-{secrets.token_hex(4)}"
    stage = _bare(tmp_path, f"touch {probe}")
    with pytest.raises(DockerfileError, match="Read-only file system"):
        stage.build()
    assert not probe.exists()


def test_a_copy_into_this_machines_system_folders_is_refused(tmp_path: Path) -> None:
    _need_root()
    (tmp_path / "notes.txt").write_text("the image's, not this machine's")
    target = Path("/etc") / f"metaexpo-probe-{secrets.token_hex(4)}.txt"
    tmp_path.chmod(0o755)
    (tmp_path / "Dockerfile").write_text(
        f"FROM {_runtime_base()} AS runtime\nCOPY notes.txt {target}\n"
    )
    stage = DockerfileRun(tmp_path / "Dockerfile", tmp_path / "work")
    with pytest.raises(DockerfileError, match="writes only the stage's own folders"):
        stage.build()
    assert not target.exists()


def test_apt_get_in_a_stage_links_the_packages_commands_and_their_dependencies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    client = f"postgresql-client-{postgresql_client_major()}"
    args = ["install", "--yes", "--no-install-recommends", client]
    assert apt_get_main([str(tmp_path), host_release(), *args]) == 0, capsys.readouterr().err
    # pg_dump on PATH comes from a dependency (postgresql-client-common's wrapper).
    assert (tmp_path / "usr" / "bin" / "pg_dump").is_symlink()
    assert client in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["install", "--yes", "metaexpo-no-such-package"], "--no-install-recommends"),
        (["install", "--no-install-recommends", "perl"], "without --yes"),
        (
            ["install", "--yes", "--no-install-recommends", "metaexpo-no-such-package"],
            "metaexpo-no-such-package: not installed on this machine",
        ),
        (["upgrade", "--yes"], "only update, install and clean"),
    ],
)
def test_apt_get_in_a_stage_refuses_what_would_not_work_in_a_build(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert apt_get_main([str(tmp_path), host_release(), *args]) == 100
    assert message in capsys.readouterr().err
    assert not any(tmp_path.iterdir()), "nothing installed"


def test_apt_get_in_a_stage_refuses_another_debian_release(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["install", "--yes", "--no-install-recommends", "perl"]
    assert apt_get_main([str(tmp_path), "sid-of-another-time", *args]) == 100
    assert "cannot stand in" in capsys.readouterr().err


# --- the slow ones: both stages built, the service started as compose runs it -----------------


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
    _need_root()
    # Not under pytest's tmp_path: that is private to root, and the service runs as the
    # image's user, who must read the image's files.
    work = Path(tempfile.mkdtemp(prefix="metaexpo-image-"))
    work.chmod(0o755)
    log = work / "build.log"
    try:
        with log.open("w") as out:

            def note(line: str) -> None:
                out.write(line + "\n")
                out.flush()

            run = DockerfileRun(DOCKERFILE, work / "stages", log=note, timeout=900 * TIME_FACTOR)
            runtime = run.build()
        yield Image(runtime, log)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _ids(runtime: BuiltStage) -> tuple[int, int]:
    user = numeric_user(runtime.user)
    assert user is not None, "the image names its USER"
    return user


@pytest.mark.slow
def test_the_runtime_stage_holds_the_service_and_no_build_tools(image: Image) -> None:
    runtime = image.runtime
    app = runtime.host(runtime.workdir)
    assert (app / "web" / "dist" / "index.html").is_file()
    assert [p.relative_to(app) for p in app.rglob("node_modules")] == [Path("web/node_modules")]
    assert os.listdir(app / "web" / "node_modules") == ["gltf-validator"], "that package only"
    assert (app / "web" / "tools" / "validate-gltf.mjs").is_file()
    assert not (app / "web" / "src").exists() and not (app / "tests").exists()
    assert (app / "assets" / "icons" / "favicon.svg").is_file()
    venv = runtime.host(runtime.env["VIRTUAL_ENV"])
    assert (venv / "bin" / "metaexpo").is_file()
    assert runtime.which("node") == runtime.host("/usr/local/bin/node")
    for tool in BUILD_COMMANDS:
        assert runtime.which(tool) is None, f"no {tool} in the runtime image"
    for tool in ("pg_dump", "pg_restore"):
        assert runtime.which(tool), f"{tool} for metaexpo backup and restore with PostgreSQL"
    data = runtime.host(runtime.env["METAEXPO_DATA_DIR"])
    uid, gid = _ids(runtime)
    assert (data.stat().st_uid, data.stat().st_gid) == (uid, gid) and not any(data.iterdir())
    assert stat.S_IMODE(data.stat().st_mode) == 0o700, "docs/security.md: the data folder"
    assert runtime.volumes == [runtime.env["METAEXPO_DATA_DIR"]]


@pytest.mark.slow
def test_the_runtimes_node_links_only_libraries_the_image_installs_by_name(image: Image) -> None:
    node = image.runtime.which("node")
    assert node is not None
    linked = subprocess.run(["ldd", str(node)], capture_output=True, text=True, check=True)
    libraries = re.findall(r"(/\S+\.so[.\d]*)\s", linked.stdout)
    assert libraries, linked.stdout
    named = set(apt_installs(image.runtime.stage.instructions)) | DEBIAN_ESSENTIAL
    for library in libraries:
        package = _debian_package_of(Path(library))
        assert package in named, (
            f"node links {library} from {package}: install it by name in the runtime image "
            "(the python base has some libraries only because apt needs them)"
        )


def _debian_package_of(library: Path) -> str:
    """The installed Debian package that ships ``library`` (merged /usr: either spelling)."""
    real = Path(os.path.realpath(library))
    spellings = {library, real}
    for path in list(spellings):
        text = str(path)
        spellings.add(
            Path(text.removeprefix("/usr") if text.startswith("/usr/") else "/usr" + text)
        )
    for path in sorted(spellings):
        found = subprocess.run(
            ["dpkg-query", "--search", str(path)], capture_output=True, text=True, check=False
        )
        if found.returncode == 0:
            return found.stdout.split(":", 1)[0]
    raise AssertionError(f"no Debian package ships {library}")


@dataclass
class Service:
    """The image's CMD running as its user against PostgreSQL, as docker-compose.yml runs it."""

    runtime: BuiltStage
    env: dict[str, str]
    base: str
    log: Path
    database: str

    def exec(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        """``docker compose exec node1 ARGS``: as the image's user, with its environment."""
        uid, gid = _ids(self.runtime)
        return subprocess.run(
            list(args),
            cwd=self.runtime.host(self.runtime.workdir),
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=300 * TIME_FACTOR,
            check=False,
            user=uid,
            group=gid,
            extra_groups=[],
        )


def _compose_postgres_major() -> int:
    compose = (ROOT / "docker-compose.yml").read_text()
    match = re.search(r"^\s*image:\s*postgres:(\d+)\.", compose, re.MULTILINE)
    assert match, "docker-compose.yml runs PostgreSQL"
    return int(match.group(1))


@pytest.fixture(scope="module")
def service(image: Image, postgres: ThrowawayPostgres) -> Iterator[Service]:
    """The service started from the emulated image, healthy; stopped afterwards."""
    runtime = image.runtime
    database = postgres.create_database()  # empty: the node migrates it, as compose's node1
    with psycopg.connect(database.replace("postgresql+psycopg://", "postgresql://")) as db:
        server_major = db.info.server_version // 10000
    assert server_major == _compose_postgres_major(), (
        f"this check stands PostgreSQL {server_major} in for docker-compose.yml's "
        f"{_compose_postgres_major()}: install that major version's server here"
    )
    port = _free_port()
    env = runtime.host_env()
    # Loopback instead of the image's 0.0.0.0: this runs on a shared machine.
    env |= {
        "METAEXPO_HOST": "127.0.0.1",
        "METAEXPO_PORT": str(port),
        "METAEXPO_LOG_LEVEL": "warning",
        "METAEXPO_SECRET_KEY": secrets.token_urlsafe(48),
        "METAEXPO_DATABASE_URL": database,
    }
    uid, gid = _ids(runtime)
    log = image.log.with_name("service.log")
    with log.open("wb") as out:
        process = subprocess.Popen(
            runtime.cmd,
            cwd=runtime.host(runtime.workdir),
            env=env,
            stdout=out,
            stderr=out,
            user=uid,
            group=gid,
            extra_groups=[],
        )
    service = Service(runtime, env, f"http://127.0.0.1:{port}", log, database)
    try:
        deadline = time.monotonic() + 180 * TIME_FACTOR
        while True:
            check = service.exec(*runtime.healthcheck)
            if check.returncode == 0:
                break
            assert process.poll() is None, f"the service stopped:\n{log.read_text()[-3000:]}"
            assert time.monotonic() < deadline, (
                f"HEALTHCHECK never passed: {check.stderr[-500:]!r}\n{log.read_text()[-3000:]}"
            )
            time.sleep(0.5)
        status = Path(f"/proc/{process.pid}/status").read_text()
        assert re.search(rf"^Uid:\s+{uid}\b", status, re.MULTILINE), "runs as USER"
        yield service
    finally:
        process.terminate()
        try:
            process.wait(30 * TIME_FACTOR)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        postgres.drop_database(database)


@pytest.mark.slow
def test_the_image_serves_the_client_as_its_user_and_passes_its_healthcheck(
    service: Service,
) -> None:
    base = service.base
    page = httpx.get(f"{base}/", timeout=10)
    assert page.status_code == 200, "the web client is in the image"
    bundle = re.search(r'src="(/app/main-[A-Z0-9]+\.js)"', page.text)
    assert bundle and httpx.get(base + bundle.group(1), timeout=10).status_code == 200
    for path in ("/docs", "/redoc", "/favicon.svg", "/licenses/noto-sans-sc.txt"):
        assert httpx.get(base + path, timeout=10).status_code == 200, path
    log = service.log.read_text()
    assert "can be read by other users" not in log, "the data folder is private (0700)"
    assert "model uploads will be answered 503" not in log, "the validator is in the image"


@pytest.mark.slow
def test_a_model_uploaded_to_the_image_passes_the_khronos_validator(service: Service) -> None:
    made = service.exec(
        "metaexpo", "create-staff", "--login", STAFF_LOGIN, "--password-stdin",
        stdin=f"{STAFF_PASSWORD}\n",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    booth = _first_booth()
    with httpx.Client(base_url=service.base, timeout=120 * TIME_FACTOR) as http:
        expo = Expo(http)
        staff = expo.staff()
        exhibitor = expo.exhibitor(staff, "container@firm.test", [booth])
        response = expo.upload(exhibitor, booth, cube_glb(), "cube.glb")
        assert response.status_code == 201, response.text[:1000]
        khronos: dict[str, Any] = response.json()["upload"]["report"]["khronos"]
    assert khronos["errors"] == 0 and khronos["validator"], khronos


def _first_booth() -> str:
    return load_catalog(ROOT / "scenes").booths[0].id


@pytest.mark.slow
def test_metaexpo_backup_in_the_image_dumps_the_compose_postgresql(service: Service) -> None:
    uid, gid = _ids(service.runtime)
    # `docker compose exec node1 metaexpo backup /tmp/expo.tar.gz`: a folder the user may write.
    folder = Path(tempfile.mkdtemp(prefix="metaexpo-backup-"))
    try:
        os.chown(folder, uid, gid)
        out = folder / "expo.tar.gz"
        done = service.exec("metaexpo", "backup", str(out))
        assert done.returncode == 0, done.stderr
        with tarfile.open(out) as archive:
            manifest = json.loads(archive.extractfile("manifest.json").read())  # type: ignore[union-attr]
            dump = archive.extractfile(manifest["database"]).read(5)  # type: ignore[union-attr]
        assert manifest["database"] == "metaexpo.pgdump" and dump == b"PGDMP", manifest
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    version = service.exec("pg_dump", "--version")
    major = re.search(r"\(PostgreSQL\) (\d+)", version.stdout)
    assert major and int(major.group(1)) == postgresql_client_major(), version.stdout
