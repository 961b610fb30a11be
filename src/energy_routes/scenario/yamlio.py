"""Read a YAML file and remember the line of every key and list item, so problems can name it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ..errors import InputError, Problem


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that records the line of every mapping key and sequence item."""


def load_yaml(path: Path) -> tuple[Any, dict[tuple, int]]:
    """The parsed document and ``{path tuple: line}``; UTF-16, bad UTF-8, bad YAML and repeated keys are input errors."""
    rel = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError([Problem(str(path), f"cannot be read ({exc.strerror})")]) from None
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise InputError([Problem(rel, "is UTF-16 text; save it as UTF-8", line=1)])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError([Problem(rel, f"is not UTF-8 text (byte 0x{raw[exc.start]:02x}); save it as UTF-8", line=line)]) from None
    try:
        node = yaml.compose(text, Loader=_LineLoader)
        data = yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        what = getattr(exc, "problem", None) or str(exc)
        raise InputError([Problem(rel, f"is not valid YAML: {what}{_yaml_hint(what)}", line=line)]) from None
    lines: dict[tuple, int] = {}
    dupes: list[Problem] = []

    def walk(n: yaml.Node, path: tuple) -> None:
        lines[path] = n.start_mark.line + 1
        if isinstance(n, yaml.MappingNode):
            first: dict[str, int] = {}
            for k, _ in n.value:
                line = k.start_mark.line + 1
                if k.value in first:
                    where = ".".join(map(str, path + (k.value,)))
                    dupes.append(
                        Problem(rel, f"key '{k.value}' repeats the one on line {first[k.value]}; YAML would silently keep only the last, so merge them", line=line, column=where)
                    )
                first.setdefault(k.value, line)
            for k, v in n.value:
                lines[path + (k.value,)] = k.start_mark.line + 1
                walk(v, path + (k.value,))
                lines[path + (k.value,)] = k.start_mark.line + 1
        elif isinstance(n, yaml.SequenceNode):
            for i, v in enumerate(n.value):
                walk(v, path + (i,))

    if node is not None:
        walk(node, ())
    if dupes:
        raise InputError(dupes)
    return data, lines


def _yaml_hint(what: str) -> str:
    """Plain words for PyYAML's parser messages."""
    if "stream end" in what:
        return " (the file ends inside a { } or [ ]: is it cut short, or a bracket not closed?)"
    if "\\t" in what or "\t" in what or "tab" in what:
        return " (YAML indents with spaces, not tabs)"
    if "block" in what or "mapping values are not allowed" in what:
        return " (check the indentation of this line against the line above)"
    return ""


def line_for(lines: dict[tuple, int], path: tuple) -> int | None:
    """The line of ``path``, or of its nearest recorded parent."""
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get(())
