"""The ``metaexpo`` command line: serve the expo, load-test it, and more.

Subcommands and their flags come from the typed settings models, so every
flag is also an environment variable (``METAEXPO_<NAME>``) and ``--help``
lists them all with their defaults.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    CliApp,
    CliPositionalArg,
    CliSubCommand,
    SettingsConfigDict,
)

from metaexpo.config import PROJECT_ROOT, Settings
from metaexpo.errors import MetaExpoError


class ServeCommand(Settings):
    """Run the expo: HTTP, scenes, the sync WebSocket and /metrics on one port."""

    port_file: Path | None = Field(
        None, description="Write the port actually bound here (useful with --port 0)."
    )

    def cli_cmd(self) -> None:
        """Serve until interrupted."""
        from metaexpo.server import serve

        serve(Settings(**self.model_dump(exclude={"port_file"})), self.port_file)


class BuildScenesCommand(BaseSettings):
    """Build each hall's GLB from the catalog into <data-dir>/scenes/ and report on them."""

    model_config = SettingsConfigDict(env_prefix="METAEXPO_")

    scenes_dir: Path = Field(PROJECT_ROOT / "scenes", description="The expo catalog (YAML).")
    data_dir: Path = Field(Path("data"), description="Data folder; scenes go to its scenes/.")
    force: bool = Field(False, description="Rebuild even if the catalog has not changed.")
    json_out: bool = Field(False, alias="json", description="Print the report as JSON.")

    def cli_cmd(self) -> None:
        """Build, validate and print the summary."""
        from metaexpo.scenebuild.cli import run_build

        run_build(self.scenes_dir, self.data_dir, force=self.force, as_json=self.json_out)


class LoadtestCommand(BaseSettings):
    """Drive protocol-true bots against one or more servers and report (BENCHMARKS.md)."""

    model_config = SettingsConfigDict(env_prefix="METAEXPO_LOADTEST_")

    url: list[str] = Field(
        ["http://127.0.0.1:8000"],
        description="Server base URL; repeat to spread bots over several servers.",
    )
    scenario: Literal["hall-walk", "crowd", "churn", "slow-reader", "voice", "forum"] = "hall-walk"
    clients: int = Field(100, ge=1, le=100_000, description="Number of bots.")
    duration: float = Field(20.0, gt=0, description="Measurement window in seconds.")
    ramp: float = Field(5.0, ge=0, description="Seconds over which the bots join.")
    seed: int = Field(1, description="Random seed of the plan (same seed, same run).")
    procs: int = Field(1, ge=1, le=64, description="Generator processes.")
    probes: int = Field(32, ge=0, description="Bots that decode frames and sample latency.")
    room: str = Field("main", description="Room (hall) to join.")
    json_out: Path | None = Field(None, alias="json", description="Write the report JSON here.")
    plot: Path | None = Field(None, description="Write a PNG plot here.")
    label: str = Field("", description="Free text stored in the report.")
    quiet: bool = Field(False, description="No live progress or table.")
    talk_share: float = Field(
        0.1, ge=0.0, le=1.0, description="voice: share of visitors in a talk turn at any moment."
    )
    media_batch: int = Field(
        2, ge=1, le=5, description="voice, forum: 20 ms chunks per AUDIO frame a talker sends."
    )
    staff_login: str | None = Field(
        None,
        description="forum: a staff account's sign-in name; the harness schedules a session "
        "with it, invites the host as speaker, uploads slides and goes live.",
    )
    staff_password: str | None = Field(
        None,
        description="forum: that account's password (better: METAEXPO_LOADTEST_STAFF_PASSWORD).",
    )
    chat_per_s: int = Field(50, ge=0, description="forum: audience chat lines a second.")
    slide_every: float = Field(10.0, gt=0, description="forum: seconds between slide turns.")

    def cli_cmd(self) -> None:
        """Run the load test."""
        from metaexpo.loadtest.plans import Scenario
        from metaexpo.loadtest.runner import LoadtestOptions, run

        run(
            LoadtestOptions(
                urls=self.url,
                scenario=Scenario(self.scenario),
                clients=self.clients,
                duration=self.duration,
                ramp=self.ramp,
                seed=self.seed,
                procs=self.procs,
                probes=self.probes,
                room=self.room,
                json_path=self.json_out,
                plot_path=self.plot,
                quiet=self.quiet,
                label=self.label,
                talk_share=self.talk_share,
                media_batch=self.media_batch,
                staff_login=self.staff_login,
                staff_password=self.staff_password,
                chat_per_s=self.chat_per_s,
                slide_every=self.slide_every,
            )
        )


class DataCommand(BaseSettings):
    """Base of the commands that work on a data folder (and its database)."""

    model_config = SettingsConfigDict(env_prefix="METAEXPO_")

    data_dir: Path = Field(Path("data"), description="The data folder (as for serve).")
    database_url: str | None = Field(
        None, description="Database URL (as for serve; default SQLite in the data folder)."
    )

    def settings(self) -> Settings:
        """Server settings pointing at the same data folder and database."""
        return Settings(data_dir=self.data_dir, database_url=self.database_url)


class CreateStaffCommand(DataCommand):
    """Create a staff account (the first one, to sign in to /staff), or reset a password."""

    login: str = Field(description="Sign-in name, e.g. an e-mail address.")
    display_name: str = Field("", description="Name shown in the console (default: the login).")
    password_stdin: bool = Field(
        False, description="Read the password from standard input instead of asking."
    )
    reset_password: bool = Field(
        False, description="Set a new password for an existing account instead of creating one."
    )

    def cli_cmd(self) -> None:
        """Ask for the password and write the account."""
        from metaexpo.auth.commands import run_create_staff

        run_create_staff(
            self.settings(),
            self.login,
            self.display_name,
            password_stdin=self.password_stdin,
            reset=self.reset_password,
        )


class BackupCommand(DataCommand):
    """Write the data folder (database, booth files, scenes, secret key) to one archive."""

    out: CliPositionalArg[Path] = Field(description="The archive to write (.tar or .tar.gz).")

    def cli_cmd(self) -> None:
        """Snapshot the database, then the files; safe while the server runs."""
        from metaexpo.store.commands import run_backup

        run_backup(self.settings(), self.out)


class RestoreCommand(DataCommand):
    """Restore a backup into the data folder (stop the server first)."""

    archive: CliPositionalArg[Path] = Field(description="The archive metaexpo backup wrote.")
    force: bool = Field(False, description="Replace a data folder that is not empty.")

    def cli_cmd(self) -> None:
        """Check the archive, then swap it in."""
        from metaexpo.store.commands import run_restore

        run_restore(self.settings(), self.archive, force=self.force)


class CheckCommand(DataCommand):
    """Check a data folder: every file a row names, live pointers, orphan files, private modes."""

    fix: bool = Field(
        False,
        description="Remove stored files that no row names once older than "
        "--orphan-min-age-s (safe while servers run).",
    )
    hash_files: bool = Field(False, description="Re-read every stored file to check its hash.")
    orphan_min_age_s: float = Field(
        3600.0, ge=60.0, description="Age from which --fix removes a file no row names (as serve)."
    )

    def cli_cmd(self) -> None:
        """Report (exit 1 when something is wrong, 0 when all is well)."""
        from metaexpo.booths.checkup import run_check

        settings = Settings(
            data_dir=self.data_dir,
            database_url=self.database_url,
            orphan_min_age_s=self.orphan_min_age_s,
        )
        raise SystemExit(run_check(settings, fix=self.fix, hash_files=self.hash_files))


class CheckModelCommand(BaseSettings):
    """Check an exhibitor model (.glb, .gltf or .zip) as an upload would be; see --help."""

    file: CliPositionalArg[Path] = Field(description="The model to check.")
    json_out: bool = Field(False, alias="json", description="Print one JSON object.")
    normalise: Path | None = Field(None, description="Write the model fitted into the slot here.")
    footprint: tuple[float, float] = Field((4.0, 4.0), description="Slot width and depth (m).")
    height: float = Field(4.0, description="Slot height (m).")
    no_grow: bool = Field(False, description="Do not enlarge models smaller than the slot.")

    def cli_cmd(self) -> None:
        """Delegate to metaexpo.models.cli (exit 0 accepted, 1 refused, 2 usage)."""
        from metaexpo.models.cli import main as check_model_main

        argv = [str(self.file), "--footprint", *map(str, self.footprint)]
        argv += ["--height", str(self.height)]
        argv += ["--json"] if self.json_out else []
        argv += ["--normalise", str(self.normalise)] if self.normalise else []
        argv += ["--no-grow"] if self.no_grow else []
        raise SystemExit(check_model_main(argv))


class MetaExpo(BaseSettings):
    """元宇宙浙江 · Metaverse Zhejiang Expo."""

    model_config = SettingsConfigDict(
        cli_prog_name="metaexpo", cli_kebab_case=True, cli_implicit_flags=True
    )

    serve: CliSubCommand[ServeCommand] = Field(description="Run the expo server.")
    loadtest: CliSubCommand[LoadtestCommand] = Field(description="Load-test a running server.")
    build_scenes: CliSubCommand[BuildScenesCommand] = Field(description="Build the hall GLBs.")
    check_model: CliSubCommand[CheckModelCommand] = Field(
        description="Check an exhibitor 3D model offline."
    )
    create_staff: CliSubCommand[CreateStaffCommand] = Field(
        description="Create a staff account or reset a password."
    )
    backup: CliSubCommand[BackupCommand] = Field(description="Back up the data folder.")
    restore: CliSubCommand[RestoreCommand] = Field(description="Restore a backup.")
    check: CliSubCommand[CheckCommand] = Field(
        description="Check a data folder's storage (--fix removes old orphan files)."
    )

    def cli_cmd(self) -> None:
        """Run the chosen subcommand."""
        CliApp.run_subcommand(self)


def _describe(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors(include_url=False):
        where = ".".join(str(p) for p in err["loc"]) or "arguments"
        lines.append(f"  {where.replace('_', '-')}: {err['msg']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Entry point: exit 0 on success, 2 on a usage or configuration error."""
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] == "check-model":
        # The model checker keeps its own parser, exit codes (1: refused) and --help.
        from metaexpo.models.cli import main as check_model_main

        return check_model_main(args[1:])
    try:
        CliApp.run(MetaExpo, cli_args=args)
    except ValidationError as exc:
        print(f"metaexpo: invalid arguments:\n{_describe(exc)}", file=sys.stderr)
        return 2
    except MetaExpoError as exc:  # configuration, content, or an unreachable server
        print(f"metaexpo: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
