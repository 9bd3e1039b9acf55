"""Reading the catalog's YAML files: finding them, parsing them strictly, fingerprinting them.

Parsing keeps the YAML node tree beside the data so that a problem found
later can still be reported with its line number. Duplicate keys, which
YAML itself lets pass with the last one winning, are refused here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from metaexpo.scenes.problems import Loc, Problem

#: File name endings read as catalog files.
SOURCE_SUFFIXES = (".yaml", ".yml")
_MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass(frozen=True, slots=True)
class Source:
    """One parsed catalog file: its label for messages, its data and its YAML node tree."""

    label: str
    data: Any
    node: Node | None

    def line_of(self, loc: Loc) -> int | None:
        """The 1-based line of the deepest node along ``loc`` (a key's own line for mappings)."""
        node = self.node
        if node is None:
            return None
        line = node.start_mark.line + 1
        for part in loc:
            found: tuple[int, Node] | None = None
            if isinstance(node, MappingNode) and isinstance(part, str):
                for key_node, value_node in node.value:
                    if isinstance(key_node, ScalarNode) and key_node.value == part:
                        found = (key_node.start_mark.line + 1, value_node)
                        break
            elif (
                isinstance(node, SequenceNode)
                and isinstance(part, int)
                and 0 <= part < len(node.value)
            ):
                child: Node = node.value[part]
                found = (child.start_mark.line + 1, child)
            if found is None:
                break
            line, node = found
        return line


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key written twice in one mapping."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        first_lines: dict[str, int] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag == _MERGE_TAG:
                continue
            if key_node.value in first_lines:
                raise ConstructorError(
                    None,
                    None,
                    f'the key "{key_node.value}" is written twice '
                    f"(first on line {first_lines[key_node.value]})",
                    key_node.start_mark,
                )
            first_lines[key_node.value] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


def find_source_paths(scenes_dir: Path) -> list[Path]:
    """Every catalog file under ``scenes_dir``, sorted by relative path; hidden ones are skipped."""
    found = []
    for path in scenes_dir.rglob("*"):
        relative = path.relative_to(scenes_dir)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if path.suffix in SOURCE_SUFFIXES and path.is_file():
            found.append(path)
    return sorted(found, key=lambda path: path.relative_to(scenes_dir).as_posix())


def fingerprint(files: list[tuple[str, bytes]]) -> str:
    """sha256 over each file's relative path and bytes, in path order.

    Paths are hashed too, so renaming or moving a file changes the
    fingerprint; lengths keep one file's end from passing as the next's start.
    """
    digest = hashlib.sha256()
    for name, content in sorted(files):
        encoded = name.encode()
        digest.update(len(encoded).to_bytes(8, "big") + encoded)
        digest.update(len(content).to_bytes(8, "big") + content)
    return digest.hexdigest()


def parse_source(label: str, content: bytes) -> Source | Problem:
    """Parse one file's bytes; a problem (with its line) when it is not valid UTF-8 or YAML."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return Problem(label, None, None, f"is not UTF-8 text (bad byte at offset {exc.start})")
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = ", ".join(part for part in (exc.context, exc.problem) if part)
        return Problem(
            label,
            None,
            None,
            f"YAML syntax error: {what}",
            line=mark.line + 1 if mark is not None else None,
            column=mark.column + 1 if mark is not None else None,
        )
    except yaml.YAMLError as exc:
        return Problem(label, None, None, f"YAML error: {exc}")
    finally:
        loader.dispose()
    return Source(label=label, data=data, node=node)
