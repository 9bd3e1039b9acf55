"""The Dockerfile, run without a container engine: its stages built in folders, its service started.

This machine (and CI) can install podman but cannot pull base images (only
package registries are reachable), so the image itself cannot be built here.
What can be checked is everything the Dockerfile says: this module reads it,
gives every stage a folder that stands for the stage's file system, copies
what each ``COPY`` names from the build context (minus ``.dockerignore``) or
from an earlier stage, and runs each ``RUN`` there with the stage's ``ENV``
and ``WORKDIR``. Then the ``CMD`` runs as the image's ``USER`` (when the
tests run as root) and the ``HEALTHCHECK`` is asked until it passes.

What stands in for the base images: this machine, a Debian like them.

* **Commands** are a stage's own: the folders on the base images' ``PATH``
  (``/usr/local/bin``, ``/usr/bin``, ``/bin``, …) lie under the stage's
  folder and hold only what the base image has — the commands of Debian's
  ``required`` packages and ``apt`` (what ``debootstrap --variant=minbase``
  puts in a Debian slim image), plus ``python`` for a ``python:`` image or
  ``node``, ``npm`` and ``npx`` for a ``node:`` image, each a link to this
  machine's — and what the stage's ``COPY`` and ``RUN`` lines add. So a
  command the image would lack (``node`` without its ``COPY``, ``pg_dump``
  without its package, ``gcc``) is missing in the emulated stage too.
* **Debian packages**: ``apt-get`` in a stage is :func:`apt_get_main`. Its
  ``install`` takes each named package, and what it depends on, from this
  machine's installed packages (they must be installed here, from the
  image's Debian release) and links their commands into the stage.
* **Libraries, configuration, data** (``/usr/lib``, ``/etc``, ``/usr/share``,
  …) are this machine's: every other absolute path in ``SYSTEM_DIRS`` is
  the host's own. A program that looks there finds this machine's files
  (Debian's ``pg_dump`` wrapper finds the client in /usr/lib/postgresql),
  so the tests also check what the Dockerfile names (the packages, the
  libraries ``node`` links).
* **Versions**: Python's minor version is the image's (a host Python of
  that version is required); Node.js is whatever this machine has, which
  builds the client and runs the validator as the image's newer one does,
  and the runtime's ``node`` is then this machine's binary (the official
  binaries of both link the same libraries).

``RUN`` lines run in a mount namespace of their own in which this machine's
system folders are read-only and apt's lists and caches are empty, so that
a ``RUN`` can change nothing outside its stage (an ``rm -rf
/var/lib/apt/lists/*`` empties only that namespace's empty folder).

Paths: an absolute path in an ``ENV``, ``WORKDIR`` or ``COPY`` is the
image's; outside the base image's own folders (``/usr``, ``/etc``, …) it is
placed under the stage's folder. ``RUN`` lines must therefore name paths
through those variables (``"$VIRTUAL_ENV"``), never literally; the plan
refuses a ``RUN`` with a literal absolute path so that rule cannot rot.
"""

from __future__ import annotations

import fnmatch
import functools
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

#: Folders that belong to the base image (the host's stand in for them); anything else an
#: ENV/WORKDIR/COPY names is placed under the stage's folder.
SYSTEM_DIRS = frozenset(
    {"usr", "bin", "sbin", "lib", "lib64", "etc", "var", "tmp", "dev", "proc", "sys", "run"}
)
#: The PATH of the Debian-based python and node images before any ENV.
BASE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#: The folders on that PATH: a stage's own, under its folder, holding the image's commands only.
BIN_DIRS = tuple(PurePosixPath(folder) for folder in BASE_PATH.split(":"))
#: Debian images keep /bin and /sbin in /usr (merged /usr): links in every stage's folder.
MERGED_USR = {"bin": "usr/bin", "sbin": "usr/sbin"}
#: This machine's folders that a RUN may not change: read-only in its mount namespace.
READ_ONLY = ("/usr", "/etc", "/var", "/opt", "/srv")
#: apt's lists and caches: empty (a tmpfs) in a RUN's namespace, so a RUN's clean-up of them
#: removes nothing of this machine's.
APT_STATE = ("/var/lib/apt/lists", "/var/cache/apt")
_INSTRUCTIONS = frozenset(
    {"FROM", "WORKDIR", "COPY", "RUN", "ENV", "USER", "VOLUME", "EXPOSE", "HEALTHCHECK", "CMD"}
)


class DockerfileError(Exception):
    """The Dockerfile cannot be run as written; the message says where and why."""


@dataclass(frozen=True)
class Instruction:
    """One instruction: keyword, its text after the keyword, and its line number."""

    keyword: str
    text: str
    line: int


@dataclass
class Stage:
    """One ``FROM`` and the instructions up to the next."""

    image: str
    name: str
    instructions: list[Instruction] = field(default_factory=list)


def parse_dockerfile(text: str) -> list[Stage]:
    """The stages of a Dockerfile (continuations joined, comments dropped).

    :class:`DockerfileError` for an instruction this runner does not know,
    or one before the first ``FROM``.
    """
    stages: list[Stage] = []
    pending = ""
    start = 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue
        if not pending:
            start = number
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        whole = (pending + line).strip()
        pending = ""
        keyword, _, rest = whole.partition(" ")
        keyword = keyword.upper()
        if keyword not in _INSTRUCTIONS:
            raise DockerfileError(f"line {start}: {keyword} is not supported by this check")
        if keyword == "FROM":
            parts = rest.split()
            if len(parts) == 3 and parts[1].upper() == "AS":
                stages.append(Stage(parts[0], parts[2]))
            elif len(parts) == 1:
                stages.append(Stage(parts[0], str(len(stages))))
            else:
                raise DockerfileError(f"line {start}: FROM {rest!r} is not 'FROM image [AS name]'")
            continue
        if not stages:
            raise DockerfileError(f"line {start}: {keyword} before the first FROM")
        stages[-1].instructions.append(Instruction(keyword, rest.strip(), start))
    return stages


# --- .dockerignore -----------------------------------------------------------------------------


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    """A .dockerignore pattern (Go filepath.Match plus ``**``) as a regex on posix paths."""
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**", i):
            i += 2
            if i < len(pattern) and pattern[i] == "/":
                i += 1
                out.append("(?:.*/)?")
            else:
                out.append(".*")
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = pattern.find("]", i)
            if end < 0:
                out.append(re.escape(c))
            else:
                out.append(fnmatch.translate(pattern[i : end + 1])[4:-3])
                i = end
        else:
            out.append(re.escape(c))
        i += 1
    # A pattern that names a folder keeps everything inside it out too.
    return re.compile("".join(out) + "(?:/.*)?")


class DockerIgnore:
    """The rules of a ``.dockerignore``: later rules win; ``!`` takes a path back in."""

    def __init__(self, text: str) -> None:
        self.rules: list[tuple[bool, re.Pattern[str]]] = []
        for raw in text.splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            keep = line.startswith("!")
            pattern = line[1:].strip() if keep else line
            pattern = str(PurePosixPath("/" + pattern)).lstrip("/") or "."
            self.rules.append((keep, _pattern_regex(pattern)))

    def excludes(self, path: str) -> bool:
        """Whether ``path`` (relative to the context, posix) stays out of the context."""
        excluded = False
        for keep, regex in self.rules:
            if regex.fullmatch(path):
                excluded = not keep
        return excluded


# --- running a stage ---------------------------------------------------------------------------


def _expand(value: str, env: dict[str, str]) -> str:
    def sub(match: re.Match[str]) -> str:
        return env.get(match.group(1) or match.group(2), "")

    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)", sub, value)


def _env_pairs(text: str, env: dict[str, str]) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for word in shlex.split(text):
        key, eq, value = word.partition("=")
        if not eq:
            raise DockerfileError(f"ENV {text!r}: use the KEY=value form")
        pairs[key] = _expand(value, {**env, **pairs})
    return pairs


def _flags(words: list[str]) -> tuple[dict[str, str], list[str]]:
    flags = {}
    while words and words[0].startswith("--"):
        key, _, value = words.pop(0)[2:].partition("=")
        flags[key] = value
    return flags, words


@dataclass
class BuiltStage:
    """A stage after its instructions ran: its folder and the image's settings."""

    stage: Stage
    root: Path
    env: dict[str, str]
    workdir: str
    user: str | None = None
    cmd: list[str] = field(default_factory=list)
    healthcheck: list[str] = field(default_factory=list)
    volumes: list[str] = field(default_factory=list)

    def host(self, path: str) -> Path:
        """Where the image's absolute ``path`` lies on this machine."""
        pure = PurePosixPath(path)
        assert pure.is_absolute(), path
        command_folder = any(pure == folder or folder in pure.parents for folder in BIN_DIRS)
        if pure.parts[1:2] and pure.parts[1] in SYSTEM_DIRS and not command_folder:
            return Path(path)
        return self.root.joinpath(*pure.parts[1:])

    def own(self, path: str) -> Path:
        """Where the image's ``path`` lies, for writing: only ever inside the stage's folder,
        so that a stage never writes into this machine's system folders."""
        target = self.host(path)
        if not os.path.abspath(target).startswith(str(self.root) + os.sep):
            raise DockerfileError(
                f"{path}: this check writes only the stage's own folders (commands on PATH, "
                f"and folders outside {', '.join(sorted(SYSTEM_DIRS))}), not this machine's"
            )
        return target

    def host_env(self) -> dict[str, str]:
        """The stage's environment with the image's paths placed under its folder."""
        mapped = {}
        for key, value in self.env.items():
            parts = []
            for part in value.split(":"):
                absolute = part.startswith("/") and " " not in part
                parts.append(str(self.host(part)) if absolute else part)
            mapped[key] = ":".join(parts)
        return mapped

    def which(self, command: str) -> Path | None:
        """Where ``command`` is found on the stage's ``PATH`` (None where the image has none)."""
        found = shutil.which(command, path=self.host_env()["PATH"])
        return Path(found) if found else None


class DockerfileRun:
    """Build the stages of ``dockerfile`` (context: its folder) into folders under ``work``."""

    def __init__(
        self,
        dockerfile: Path,
        work: Path,
        *,
        log: Callable[[str], None] = lambda _: None,
        timeout: float = 900.0,
    ) -> None:
        self.dockerfile = dockerfile
        self.context = dockerfile.parent
        self.work = work
        self.log = log
        self.timeout = timeout
        ignore = self.context / ".dockerignore"
        self.ignore = DockerIgnore(ignore.read_text() if ignore.exists() else "")
        self.stages = parse_dockerfile(dockerfile.read_text())
        self.futures: dict[str, Future[BuiltStage]] = {}

    # --- checks before anything runs -------------------------------------------------------

    def plan(self) -> None:
        """Refuse, before any slow step, what cannot work: an unknown ``--from`` stage, a
        ``COPY`` of something missing from the context (or kept out by .dockerignore), a
        ``RUN`` with a literal absolute path, a command in exec form where a shell is needed.
        """
        names: set[str] = set()
        for stage in self.stages:
            for ins in stage.instructions:
                where = f"line {ins.line} ({ins.keyword})"
                if ins.keyword == "COPY":
                    flags, words = _flags(shlex.split(ins.text))
                    if len(words) < 2:
                        raise DockerfileError(f"{where}: COPY needs a source and a destination")
                    if "from" in flags:
                        if flags["from"] not in names:
                            raise DockerfileError(
                                f"{where}: --from={flags['from']} names no earlier stage "
                                f"(stages: {', '.join(sorted(names)) or 'none'})"
                            )
                        continue
                    for source in words[:-1]:
                        self._context_files(source, where)
                elif ins.keyword == "RUN":
                    if ins.text.startswith("["):
                        raise DockerfileError(f"{where}: use the shell form for RUN")
                    literal = re.findall(
                        r"(?<![\w$}/.-])/(?:opt|app|src|data|srv|home)\b", ins.text
                    )
                    if literal:
                        raise DockerfileError(
                            f"{where}: {literal[0]} is a literal image path; name it through an "
                            "ENV variable so this check can place it"
                        )
            names.add(stage.name)

    def _context_files(self, source: str, where: str) -> list[tuple[Path, str]]:
        rel = str(PurePosixPath(source)).strip("/")
        path = self.context / rel
        if not path.exists():
            raise DockerfileError(f"{where}: {source} is not in the build context")
        if self.ignore.excludes(rel):
            raise DockerfileError(f"{where}: {source} is kept out by .dockerignore")
        if path.is_file():
            return [(path, rel)]
        files = []
        for item in sorted(path.rglob("*")):
            item_rel = item.relative_to(self.context).as_posix()
            if item.is_file() and not self.ignore.excludes(item_rel):
                files.append((item, item_rel))
        return files

    # --- running ---------------------------------------------------------------------------

    def build(self) -> BuiltStage:
        """Run every stage; the last one (the runtime image) is returned.

        Stages run side by side, as BuildKit runs them: a ``COPY --from`` waits for
        the stage it names.
        """
        self.plan()
        self._check_sandbox()
        with ThreadPoolExecutor(max_workers=len(self.stages)) as pool:
            for stage in self.stages:
                self.futures[stage.name] = pool.submit(self._run_stage, stage)
            for future in self.futures.values():
                future.exception()  # wait for every stage before judging any
            return self.futures[self.stages[-1].name].result()

    def _check_sandbox(self) -> None:
        work = self.work.resolve()
        if any(work.is_relative_to(folder) for folder in READ_ONLY):
            raise DockerfileError(f"{work}: build the stages outside {', '.join(READ_ONLY)}")
        probe = subprocess.run(sandboxed(["true"]), capture_output=True, text=True, check=False)
        if probe.returncode != 0:
            raise DockerfileError(
                "RUN lines run in a mount namespace of their own (unshare --mount), which "
                f"needs root: {probe.stderr.strip()[-500:]}"
            )

    def _run_stage(self, stage: Stage) -> BuiltStage:
        root = self.work / stage.name
        root.mkdir(parents=True)
        root.chmod(0o755)
        built = BuiltStage(stage, root, {"PATH": BASE_PATH}, "/")
        self.log(f"stage {stage.name} (FROM {stage.image}) in {root}")
        lay_base_image(built)
        for ins in stage.instructions:
            handler = getattr(self, f"_do_{ins.keyword.lower()}")
            handler(built, ins)
        return built

    def _do_env(self, built: BuiltStage, ins: Instruction) -> None:
        built.env.update(_env_pairs(ins.text, built.env))

    def _do_workdir(self, built: BuiltStage, ins: Instruction) -> None:
        target = _expand(ins.text, built.env)
        built.workdir = str(PurePosixPath(built.workdir) / target)
        built.own(built.workdir).mkdir(parents=True, exist_ok=True)

    def _do_copy(self, built: BuiltStage, ins: Instruction) -> None:
        flags, words = _flags(shlex.split(ins.text))
        *sources, dest = (_expand(w, built.env) for w in words)
        dest_image = str(PurePosixPath(built.workdir) / dest)
        into_dir = dest.endswith("/") or len(sources) > 1
        for source in sources:
            if "from" in flags:
                origin = self.futures[flags["from"]].result()
                src = origin.host(str(PurePosixPath(origin.workdir) / source))
                pairs = [(p, p.relative_to(src).as_posix()) for p in src.rglob("*") if p.is_file()]
                base_is_dir = True
                if src.is_file():
                    pairs, base_is_dir = [(src, src.name)], False
            else:
                src_rel = str(PurePosixPath(source)).strip("/")
                pairs = self._context_files(source, f"line {ins.line}")
                base_is_dir = (self.context / src_rel).is_dir()
                if base_is_dir:
                    pairs = [(p, str(PurePosixPath(r).relative_to(src_rel))) for p, r in pairs]
                else:
                    pairs = [(p, PurePosixPath(r).name) for p, r in pairs]
            for path, rel in pairs:
                if base_is_dir or into_dir:
                    target = built.own(dest_image) / rel
                else:
                    target = built.own(dest_image)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)

    def _do_run(self, built: BuiltStage, ins: Instruction) -> None:
        command = ins.text
        self.log(f"RUN {command}")
        started = time.monotonic()
        result = subprocess.run(
            sandboxed(["bash", "-ec", command]),
            cwd=built.host(built.workdir),
            env=built.host_env(),
            capture_output=True,
            text=True,
            timeout=self.timeout,
            check=False,
        )
        self.log(f"    done in {time.monotonic() - started:.0f} s (exit {result.returncode})")
        if result.returncode != 0:
            tail = (result.stdout + result.stderr)[-3000:]
            raise DockerfileError(
                f"line {ins.line}: RUN failed with exit {result.returncode}: {command}\n{tail}"
            )

    def _do_user(self, built: BuiltStage, ins: Instruction) -> None:
        built.user = _expand(ins.text, built.env)

    def _do_volume(self, built: BuiltStage, ins: Instruction) -> None:
        text = ins.text.strip()
        built.volumes += _exec_form(text, ins) if text.startswith("[") else text.split()

    def _do_expose(self, built: BuiltStage, ins: Instruction) -> None:
        pass

    def _do_cmd(self, built: BuiltStage, ins: Instruction) -> None:
        built.cmd = _exec_form(ins.text, ins)

    def _do_healthcheck(self, built: BuiltStage, ins: Instruction) -> None:
        _, _, command = ins.text.partition("CMD ")
        if not command:
            raise DockerfileError(f"line {ins.line}: HEALTHCHECK needs a CMD")
        built.healthcheck = _exec_form(command.strip(), ins)


def _exec_form(text: str, ins: Instruction) -> list[str]:
    try:
        words = json.loads(text)
    except ValueError:
        raise DockerfileError(f"line {ins.line}: {ins.keyword} must be in exec form") from None
    if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
        raise DockerfileError(f"line {ins.line}: {ins.keyword} must be a list of strings")
    return words


def numeric_user(user: str | None) -> tuple[int, int] | None:
    """``uid:gid`` of a ``USER`` in numbers (this check cannot look names up in the image)."""
    if user is None:
        return None
    uid, _, gid = user.partition(":")
    if not uid.isdigit() or (gid and not gid.isdigit()):
        raise DockerfileError(f"USER {user}: give numeric ids (uid:gid)")
    return int(uid), int(gid or uid)


def apt_installs(instructions: Iterable[Instruction]) -> list[str]:
    """The Debian packages the ``apt-get install`` commands of these RUN lines name."""
    packages = []
    for ins in instructions:
        if ins.keyword != "RUN":
            continue
        for command in re.split(r"&&|;|\|\|", ins.text):
            words = [w for w in shlex.split(command) if "=" not in w or w.startswith("-")]
            if words[:2] == ["apt-get", "install"]:
                packages += [w for w in words[2:] if not w.startswith("-")]
    return packages


def postgresql_client_major_of(dockerfile: Path) -> int:
    """The major version of the one ``postgresql-client-NN`` the last stage installs."""
    names = apt_installs(parse_dockerfile(dockerfile.read_text())[-1].instructions)
    majors = [int(m.group(1)) for n in names if (m := re.fullmatch(r"postgresql-client-(\d+)", n))]
    if len(majors) != 1:
        raise DockerfileError(f"install one versioned postgresql-client-NN, not {names}")
    return majors[0]


# --- the base images: this machine's Debian and its python and node -----------------------------


def _host_tool(name: str) -> str:
    found = shutil.which(name, path=os.environ.get("PATH", BASE_PATH) + ":" + BASE_PATH)
    if found is None:
        raise DockerfileError(f"{name} is needed to run the Dockerfile here and is not installed")
    return found


def sandboxed(argv: list[str]) -> list[str]:
    """``argv`` run in a mount namespace of its own where this machine's system folders
    (``READ_ONLY``) cannot be written and apt's lists and caches (``APT_STATE``) are empty."""
    mount = _host_tool("mount")
    setup = ["set -e"]
    for folder in READ_ONLY:
        if os.path.isdir(folder) and not os.path.islink(folder):
            setup.append(f"{mount} --rbind {folder} {folder}")
            setup.append(f"{mount} -o remount,bind,ro {folder}")
    for folder in APT_STATE:
        if os.path.isdir(folder):
            setup.append(f"{mount} -t tmpfs -o size=64m,mode=0755 tmpfs {folder}")
    setup.append('exec "$@"')
    unshare, bash = _host_tool("unshare"), _host_tool("bash")
    script = "\n".join(setup)
    return [unshare, "--mount", "--propagation", "private", "--", bash, "-c", script, "run", *argv]


def debian_release(image: str) -> str:
    """The Debian release a base image's tag names (``python:3.11.14-slim-bookworm`` → bookworm)."""
    tag = image.partition("@")[0].partition(":")[2]
    words = [w for w in tag.split("-") if w.isalpha() and w != "slim"]
    if len(words) != 1:
        raise DockerfileError(f"FROM {image}: name the Debian release in the tag (…-slim-bookworm)")
    return words[0]


def host_release() -> str:
    """This machine's Debian release (``VERSION_CODENAME`` of /etc/os-release), or ""."""
    try:
        text = Path("/etc/os-release").read_text()
    except OSError:
        return ""
    match = re.search(r"^VERSION_CODENAME=\"?([a-z]+)", text, re.MULTILINE)
    return match.group(1) if match else ""


def _dpkg_query(*args: str) -> list[str]:
    try:
        done = subprocess.run(
            ["dpkg-query", *args], capture_output=True, text=True, check=False, timeout=60
        )
    except FileNotFoundError:
        raise DockerfileError(
            "the base images are Debian's, and this machine has no dpkg to stand in for them"
        ) from None
    if done.returncode not in (0, 1):  # 1: some path or package was not found
        raise DockerfileError(f"dpkg-query {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout.splitlines()


def commands_of(packages: Iterable[str]) -> list[str]:
    """The files the installed Debian ``packages`` put in the folders on ``PATH``."""
    names = sorted(set(packages))
    if not names:
        return []
    found = []
    for line in _dpkg_query("--listfiles", *names):
        path = PurePosixPath(line.strip())
        if path.parent in BIN_DIRS and os.path.lexists(path) and not os.path.isdir(path):
            found.append(str(path))
    return found


@functools.cache
def debian_base_commands() -> tuple[str, ...]:
    """The commands of a Debian slim image: those of Debian's ``required`` packages and
    ``apt`` (``debootstrap --variant=minbase``), as installed on this machine."""
    base = []
    for row in _dpkg_query("--show", "--showformat=${Package}\t${Priority}\t${db:Status-Abbrev}\n"):
        name, priority, status = [*row.split("\t"), "", ""][:3]
        if status.startswith("ii") and (priority == "required" or name == "apt"):
            base.append(name)
    return tuple(commands_of(base))


def link_commands(root: Path, commands: Iterable[str]) -> None:
    """Give the stage at ``root`` each of this machine's ``commands`` at the same path."""
    for command in commands:
        target = root / command.lstrip("/")
        if not os.path.lexists(target):
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(command)


def host_python(minor: str) -> Path:
    """This machine's Python ``minor`` (e.g. "3.11"), which any user may run (the service
    runs as the image's user): it stands in for the python image's."""
    candidates = [Path(f"/usr/bin/python{minor}"), Path(f"/usr/local/bin/python{minor}")]
    base = Path(sys.base_prefix) / "bin" / f"python{minor}"
    found = next((c for c in [*candidates, base] if c.exists()), None)
    if found is None:
        raise DockerfileError(
            f"no Python {minor} on this machine to stand in for the base image "
            f"(tried {', '.join(map(str, [*candidates, base]))})"
        )
    return found


def image_commands(image: str) -> dict[str, str]:
    """{path in the image: this machine's command} for what a base image adds to Debian's."""
    name, _, tag = image.partition("@")[0].partition(":")
    if name == "python":
        minor = re.match(r"\d+\.\d+", tag)
        if minor is None:
            raise DockerfileError(f"FROM {image}: the tag names no Python version")
        python = str(host_python(minor.group(0)))
        names = (f"python{minor.group(0)}", "python3", "python")
        return {f"/usr/local/bin/{n}": python for n in names}
    if name == "node":
        tools = {n: shutil.which(n) for n in ("node", "npm", "npx")}
        missing = [n for n, path in tools.items() if path is None]
        if missing:
            raise DockerfileError(
                f"{' and '.join(missing)} stand in for the node image's: run scripts/bootstrap test"
            )
        return {f"/usr/local/bin/{n}": str(path) for n, path in tools.items()}
    raise DockerfileError(f"FROM {image}: only python and node base images have a stand-in here")


def lay_base_image(built: BuiltStage) -> None:
    """Fill a new stage's folder with what its base image has on ``PATH`` (see the module)."""
    root = built.root
    for link, merged in MERGED_USR.items():
        (root / merged).mkdir(parents=True, exist_ok=True)
        (root / link).symlink_to(merged)
    for folder in BIN_DIRS:
        built.own(str(folder)).mkdir(parents=True, exist_ok=True)
    link_commands(root, debian_base_commands())
    for path, command in image_commands(built.stage.image).items():
        target = built.own(path)
        target.unlink(missing_ok=True)
        target.symlink_to(command)
    apt_get = built.own("/usr/bin/apt-get")
    apt_get.unlink(missing_ok=True)
    words = [sys.executable, str(Path(__file__).resolve()), "apt-get", str(root)]
    words.append(debian_release(built.stage.image))
    apt_get.write_text(
        "#!/bin/sh\n# apt-get of this emulated image: tests/container.py, apt_get_main\n"
        f'exec {shlex.join(words)} "$@"\n'
    )
    apt_get.chmod(0o755)


# --- apt-get in a stage: this machine's installed packages stand in for Debian's archive -------


@dataclass(frozen=True)
class DebianPackage:
    """An installed Debian package: what it depends on (each a choice) and provides."""

    name: str
    depends: tuple[tuple[str, ...], ...]
    provides: tuple[str, ...]


def _package_names(field: str) -> list[tuple[str, ...]]:
    """``a (>= 1) | b, c:any`` → [("a", "b"), ("c",)]."""
    groups = []
    for group in field.split(","):
        alternatives = []
        for alternative in group.split("|"):
            name = re.match(r"\s*([a-z0-9][a-z0-9+.-]*)", alternative)
            if name:
                alternatives.append(name.group(1))
        if alternatives:
            groups.append(tuple(alternatives))
    return groups


def installed_packages() -> dict[str, DebianPackage]:
    """This machine's installed Debian packages by name."""
    fields = "${Package}\t${db:Status-Abbrev}\t${Pre-Depends}, ${Depends}\t${Provides}\n"
    packages = {}
    for row in _dpkg_query("--show", f"--showformat={fields}"):
        name, status, depends, provides = [*row.split("\t"), "", "", ""][:4]
        if status.startswith("ii"):
            offered = tuple(g[0] for g in _package_names(provides))
            packages[name] = DebianPackage(name, tuple(_package_names(depends)), offered)
    return packages


def debian_closure(names: Iterable[str]) -> list[str]:
    """``names`` and everything they depend on, as apt would install them (installed here)."""
    installed = installed_packages()
    providers: dict[str, str] = {}
    for package in installed.values():
        for virtual in package.provides:
            providers.setdefault(virtual, package.name)
    wanted = list(names)
    missing = [n for n in wanted if n not in installed]
    if missing:
        raise DockerfileError(
            f"{', '.join(missing)}: not installed on this machine, whose packages stand in for "
            f"Debian's archive here; install {'them' if len(missing) > 1 else 'it'} first "
            f"(apt-get install --no-install-recommends {' '.join(missing)})"
        )

    def pick(choice: tuple[str, ...]) -> str | None:
        for name in choice:
            if name in installed:
                return name
            if name in providers:
                return providers[name]
        return None

    seen: set[str] = set()
    while wanted:
        name = wanted.pop()
        if name in seen:
            continue
        seen.add(name)
        for choice in installed[name].depends:
            found = pick(choice)
            if found is None:
                raise DockerfileError(
                    f"{name} depends on {' | '.join(choice)}, which is not installed here"
                )
            wanted.append(found)
    return sorted(seen)


def apt_get_main(argv: list[str]) -> int:
    """``apt-get`` in an emulated stage; ``argv``: the stage's folder, the image's Debian
    release, then apt-get's own arguments. ``install`` links the commands of the named
    packages and of what they depend on into the stage; ``update`` and ``clean`` do nothing.
    """
    root, release, *args = argv
    words = [a for a in args if not a.startswith("-")]
    command = words[0] if words else ""
    try:
        if command in ("update", "clean"):
            print(f"apt-get {command}: emulated; this machine's packages stand in for {release}'s")
            return 0
        if command != "install":
            raise DockerfileError(f"apt-get {' '.join(args)}: only update, install and clean here")
        if not any(
            a in ("--yes", "--assume-yes") or re.fullmatch(r"-[a-z]*y[a-z]*", a) for a in args
        ):
            raise DockerfileError(
                "apt-get install without --yes asks whether to continue and, with no one to "
                "answer during a build, stops"
            )
        if "--no-install-recommends" not in args:
            raise DockerfileError(
                "apt-get install without --no-install-recommends brings what the packages "
                "recommend too; this emulation installs only what they depend on: say "
                "--no-install-recommends, as a small image should"
            )
        here = host_release()
        if here != release:
            raise DockerfileError(
                f"the image installs Debian {release}'s packages, and this machine is Debian "
                f"{here or '(unknown)'}: its packages cannot stand in for them"
            )
        if len(words) < 2:
            raise DockerfileError("apt-get install names no package")
        closure = debian_closure(words[1:])
        link_commands(Path(root), commands_of(closure))
        print(f"apt-get install: this machine's {', '.join(closure)}")
    except DockerfileError as exc:
        print(f"E: {exc}", file=sys.stderr)
        return 100
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] != ["apt-get"]:
        sys.exit("usage: container.py apt-get STAGE-FOLDER RELEASE [apt-get arguments]")
    sys.exit(apt_get_main(sys.argv[2:]))
