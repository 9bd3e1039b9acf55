"""``metaexpo check-model FILE [--json] [--normalise OUT.glb] [--footprint W D] [--height H]``.

Checks an exhibitor model offline, exactly as an upload would be checked,
and optionally writes the version fitted into a booth slot. Exit status:
0 accepted, 1 refused (every problem is listed), 2 usage error (missing
file, bad flags). With ``--json`` stdout holds exactly one JSON object:
``{"accepted", "problems", "warnings", "stats", …}``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from pydantic import ValidationError

from metaexpo.models.limits import DEFAULT_SLOT, Limits, Slot
from metaexpo.models.pipeline import check_model, normalise_model
from metaexpo.models.problems import Problem
from metaexpo.models.results import CheckResult, NormaliseResult
from metaexpo.models.store import atomic_write

EXIT_ACCEPTED = 0
EXIT_REFUSED = 1
EXIT_USAGE = 2


class _UsageError(Exception):
    """Bad command-line usage; argparse's own exits are turned into this."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _UsageError(message)


def build_parser(prog: str = "metaexpo check-model") -> argparse.ArgumentParser:
    """The argument parser (also used by the top-level ``metaexpo`` command)."""
    parser = _Parser(
        prog=prog,
        description="Check an exhibitor 3D model (.glb, .gltf, or .zip of a .gltf and its files) "
        "and optionally write it fitted into a booth slot.",
    )
    parser.add_argument("file", type=Path, help="the model to check")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--normalise",
        "--normalize",
        dest="normalise",
        type=Path,
        metavar="OUT.glb",
        help="write the model fitted into the slot here (only if accepted)",
    )
    parser.add_argument(
        "--footprint",
        nargs=2,
        type=float,
        metavar=("W", "D"),
        default=(DEFAULT_SLOT.width, DEFAULT_SLOT.depth),
        help=f"slot width (x) and depth (z) in metres (default {DEFAULT_SLOT.width:g} "
        f"{DEFAULT_SLOT.depth:g})",
    )
    parser.add_argument(
        "--height",
        type=float,
        metavar="H",
        default=DEFAULT_SLOT.height,
        help=f"slot height (y) in metres (default {DEFAULT_SLOT.height:g})",
    )
    parser.add_argument(
        "--no-grow", action="store_true", help="do not enlarge models smaller than the slot"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit status (0 accepted, 1 refused, 2 usage error)."""
    parser = build_parser()
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
        slot = Slot(
            width=args.footprint[0],
            depth=args.footprint[1],
            height=args.height,
            grow=not args.no_grow,
        )
        path: Path = args.file
        if not path.is_file():
            raise _UsageError(f"{path}: no such file")
    except _UsageError as exc:
        print(f"{parser.prog}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ValidationError as exc:
        reasons = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        print(f"{parser.prog}: invalid slot size ({reasons})", file=sys.stderr)
        return EXIT_USAGE

    limits = Limits()
    try:
        if args.normalise is not None:
            outcome: CheckResult | NormaliseResult = normalise_model(path, slot, limits)
        else:
            outcome = check_model(path, limits)
    except OSError as exc:
        print(f"{parser.prog}: {path}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    check = outcome.check if isinstance(outcome, NormaliseResult) else outcome
    if isinstance(outcome, NormaliseResult) and outcome.glb is not None:
        try:
            atomic_write(args.normalise, outcome.glb)
        except OSError as exc:
            print(f"{parser.prog}: {args.normalise}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_USAGE
    if args.json:
        print(json.dumps(outcome.to_json(), ensure_ascii=False))
    else:
        _print_human(path, outcome, args.normalise)
    return EXIT_ACCEPTED if check.accepted else EXIT_REFUSED


def _print_human(path: Path, outcome: CheckResult | NormaliseResult, out: Path | None) -> None:
    check = outcome.check if isinstance(outcome, NormaliseResult) else outcome
    s = check.stats
    summary = (
        f"{s.triangles:,} triangles, {s.materials} materials, {s.textures} textures, "
        f"{s.nodes} nodes, {s.bytes:,} bytes"
    )
    if check.accepted:
        print(f"ACCEPTED  {path}  ({summary})")
    else:
        print(f"REFUSED   {path}  ({len(check.problems)} problem(s))")
    for problem in check.problems:
        print(f"  error   {_line(problem)}")
    for warning in check.warnings:
        print(f"  note    {_line(warning)}")
    if isinstance(outcome, NormaliseResult) and outcome.fit is not None and out is not None:
        fit = outcome.fit
        size = fit.after.size
        print(
            f"wrote {out}: scale {fit.scale:.6g}, size {size[0]:.3f} × {size[1]:.3f} × "
            f"{size[2]:.3f} m (x × y × z), {len(outcome.glb or b''):,} bytes"
        )


def _line(problem: Problem) -> str:
    limit = f" (limit: {problem.limit})" if problem.limit else ""
    return f"{problem.code}  {problem.where}: {problem.message}{limit}"
