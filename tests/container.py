"""The Dockerfile, run without a container engine: its stages built in folders, its service started.

This machine (and CI) can install podman but cannot pull base images (only
package registries are reachable), so the image itself cannot be built here.
What can be checked is everything the Dockerfile says: this module reads it,
gives every stage a folder that stands for the stage's file system, copies
what each ``COPY`` names from the build context (minus ``.dockerignore``) or
from an earlier stage, and runs each ``RUN`` there with the stage's ``ENV``
and ``WORKDIR``. The host's Node.js and Python stand in for the base images'
(the versions are compared, not faked away). Then the ``CMD`` runs as the
image's ``USER`` (when the tests run as root) and the ``HEALTHCHECK`` is
asked until it passes.

Paths: an absolute path in an ``ENV``, ``WORKDIR`` or ``COPY`` is the
image's; outside the base image's own folders (``/usr``, ``/bin``, …) it is
placed under the stage's folder. ``RUN`` lines must therefore name paths
through those variables (``"$VIRTUAL_ENV"``), never literally; the plan
refuses a ``RUN`` with a literal absolute path so that rule cannot rot.
"""

from __future__ import annotations

import fnmatch
import json
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
        if pure.parts[1:2] and pure.parts[1] in SYSTEM_DIRS:
            return Path(path)
        return self.root.joinpath(*pure.parts[1:])

    def host_env(self, extra_path: Iterable[str] = ()) -> dict[str, str]:
        """The stage's environment with the image's paths placed under its folder."""
        mapped = {}
        for key, value in self.env.items():
            parts = []
            for part in value.split(":"):
                absolute = part.startswith("/") and " " not in part
                parts.append(str(self.host(part)) if absolute else part)
            mapped[key] = ":".join(parts)
        mapped["PATH"] = ":".join([mapped.get("PATH", BASE_PATH), *extra_path])
        return mapped


class DockerfileRun:
    """Build the stages of ``dockerfile`` (context: its folder) into folders under ``work``."""

    def __init__(
        self,
        dockerfile: Path,
        work: Path,
        *,
        stand_ins: Path,
        log: Callable[[str], None] = lambda _: None,
        timeout: float = 900.0,
    ) -> None:
        self.dockerfile = dockerfile
        self.context = dockerfile.parent
        self.work = work
        #: A folder of commands that stand in for the base images' (python → a host python).
        self.stand_ins = stand_ins
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
        with ThreadPoolExecutor(max_workers=len(self.stages)) as pool:
            for stage in self.stages:
                self.futures[stage.name] = pool.submit(self._run_stage, stage)
            for future in self.futures.values():
                future.exception()  # wait for every stage before judging any
            return self.futures[self.stages[-1].name].result()

    def _run_stage(self, stage: Stage) -> BuiltStage:
        root = self.work / stage.name
        root.mkdir(parents=True)
        root.chmod(0o755)
        built = BuiltStage(stage, root, {"PATH": BASE_PATH}, "/")
        self.log(f"stage {stage.name} (FROM {stage.image}) in {root}")
        for ins in stage.instructions:
            handler = getattr(self, f"_do_{ins.keyword.lower()}")
            handler(built, ins)
        return built

    def _do_env(self, built: BuiltStage, ins: Instruction) -> None:
        built.env.update(_env_pairs(ins.text, built.env))

    def _do_workdir(self, built: BuiltStage, ins: Instruction) -> None:
        target = _expand(ins.text, built.env)
        built.workdir = str(PurePosixPath(built.workdir) / target)
        built.host(built.workdir).mkdir(parents=True, exist_ok=True)

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
                    target = built.host(dest_image) / rel
                else:
                    target = built.host(dest_image)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)

    def _do_run(self, built: BuiltStage, ins: Instruction) -> None:
        command = ins.text
        self.log(f"RUN {command}")
        started = time.monotonic()
        result = subprocess.run(
            ["bash", "-ec", command],
            cwd=built.host(built.workdir),
            env=built.host_env([str(self.stand_ins)]),
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


def python_stand_in(folder: Path, minor: str) -> Path:
    """A folder with ``python`` for the python base image: a Python ``minor`` (e.g. "3.11")
    that any user may run (the service runs as the image's user)."""
    candidates = [Path(f"/usr/bin/python{minor}"), Path(f"/usr/local/bin/python{minor}")]
    base = Path(sys.base_prefix) / "bin" / f"python{minor}"
    found = next((c for c in [*candidates, base] if c.exists()), None)
    if found is None:
        raise DockerfileError(
            f"no Python {minor} on this machine to stand in for the base image "
            f"(tried {', '.join(map(str, [*candidates, base]))})"
        )
    folder.mkdir(parents=True, exist_ok=True)
    link = folder / "python"
    link.unlink(missing_ok=True)
    link.symlink_to(found)
    return folder


def interpreter_of(stages: list[Stage]) -> str:
    """The Python minor version of the last stage's ``python:X.Y…`` base image."""
    match = re.match(r"python:(\d+\.\d+)", stages[-1].image)
    if match is None:
        raise DockerfileError(f"the runtime stage is FROM {stages[-1].image}, not a python image")
    return match.group(1)
