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
from pydantic_settings import BaseSettings, CliApp, CliSubCommand, SettingsConfigDict

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
    scenario: Literal["hall-walk", "crowd", "churn", "slow-reader"] = "hall-walk"
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
            )
        )


class MetaExpo(BaseSettings):
    """元宇宙浙江 · Metaverse Zhejiang Expo."""

    model_config = SettingsConfigDict(
        cli_prog_name="metaexpo", cli_kebab_case=True, cli_implicit_flags=True
    )

    serve: CliSubCommand[ServeCommand] = Field(description="Run the expo server.")
    loadtest: CliSubCommand[LoadtestCommand] = Field(description="Load-test a running server.")
    build_scenes: CliSubCommand[BuildScenesCommand] = Field(description="Build the hall GLBs.")

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
