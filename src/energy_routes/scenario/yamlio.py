"""Read a YAML file and remember the line of every key and list item, so problems can name it.

Hostile files are refused with a message, not a hang or a traceback
(docs/validation.md, "Hostile files"): only ordinary files up to
:data:`~energy_routes.safeio.MAX_YAML_BYTES` are read; nesting deeper than
:data:`MAX_DEPTH` is refused; aliases (``*name``) may not make the document
bigger than :data:`MAX_NODES` nodes once expanded (an "alias bomb" of a few
lines expands to billions); an impossible date such as ``2024-02-30`` is a
located error. The file is parsed once (libyaml when available); parses are
cached by content, because a sweep resolves every case against the same
``scenarios.yaml``.
"""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path
from typing import Any

import yaml

from ..errors import InputError, Problem
from ..safeio import MAX_YAML_BYTES, read_input

#: deepest nesting of mappings and lists accepted (scenario files use about 6)
MAX_DEPTH = 64
#: most nodes a document may have with every alias expanded (scenarios.yaml has about 2,000)
MAX_NODES = 200_000

def _real_dates(base: type) -> type:
    """``base`` (a safe loader) with an impossible date reported at its line instead of a bare ValueError."""

    class Loader(base):  # type: ignore[misc, valid-type]
        def construct_yaml_timestamp(self, node):
            try:
                return super().construct_yaml_timestamp(node)
            except ValueError as exc:
                raise yaml.constructor.ConstructorError(None, None, f"'{node.value}' is not a real date ({exc})", node.start_mark) from None

    Loader.add_constructor("tag:yaml.org,2002:timestamp", Loader.construct_yaml_timestamp)
    return Loader


#: libyaml (fast) parses; PyYAML's own parser, whose messages are clearer, explains a file libyaml rejects
_Loader = _real_dates(getattr(yaml, "CSafeLoader", yaml.SafeLoader))
_Explainer = _real_dates(yaml.SafeLoader)

_CACHE: dict[str, tuple[Any, dict[tuple, int]]] = {}
_CACHE_MAX = 16


def parse_yaml(text: str, rel: str) -> tuple[Any, dict[tuple, int]]:
    """Parse YAML text into (data, ``{path tuple: line}``); every failure is an :class:`InputError` naming ``rel``."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise InputError([_explain(text, rel, exc)]) from None
    lines: dict[tuple, int] = {}
    if node is not None:
        _check_size(node, rel)
    dupes: list[Problem] = []
    walked: set[int] = set()

    def walk(n: yaml.Node, path: tuple) -> None:
        lines[path] = n.start_mark.line + 1
        if id(n) in walked:  # an alias: its lines were recorded where its anchor is
            return
        walked.add(id(n))
        if isinstance(n, yaml.MappingNode):
            first: dict[str, int] = {}
            for k, _ in n.value:
                line = k.start_mark.line + 1
                if not isinstance(k, yaml.ScalarNode):
                    raise InputError([Problem(rel, "has a key that is a mapping or a list; keys must be plain words", line=line)])
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
    try:
        loader = _Loader("")
        try:
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise InputError([_yaml_problem(exc, rel)]) from None
    except (TypeError, ValueError) as exc:  # e.g. an unhashable mapping key
        raise InputError([Problem(rel, f"is not valid YAML: {exc}")]) from None
    return data, lines


def _check_size(root: yaml.Node, rel: str) -> None:
    """Refuse documents nested deeper than MAX_DEPTH or bigger than MAX_NODES with aliases expanded.

    Counts each distinct node once and memoises its expanded size, so an alias
    bomb is measured in time proportional to its text, not to its expansion.
    """
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    active: set[int] = set()  # expanded, not yet finished: the nodes above the one being looked at
    # iterative post-order walk: deep nesting must not hit Python's recursion limit here either
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        n, done = stack.pop()
        if id(n) in size:
            continue
        kids = [v for kv in n.value for v in kv] if isinstance(n, yaml.MappingNode) else list(n.value) if isinstance(n, yaml.SequenceNode) else []
        if not done:
            if id(n) in active:
                raise InputError([Problem(rel, "contains itself through an alias (*name inside the &name it points to)", line=n.start_mark.line + 1)])
            active.add(id(n))
            stack.append((n, True))
            stack.extend((k, False) for k in kids if id(k) not in size)
            continue
        active.discard(id(n))
        size[id(n)] = 1 + sum(size.get(id(k), 1) for k in kids)
        depth[id(n)] = 1 + max((depth.get(id(k), 1) for k in kids), default=0)
        if depth[id(n)] > MAX_DEPTH:
            raise InputError([Problem(rel, f"nests mappings or lists {depth[id(n)]} levels deep; expected at most {MAX_DEPTH}", line=n.start_mark.line + 1)])
        if size[id(n)] > MAX_NODES:
            raise InputError(
                [Problem(rel, f"expands to more than {MAX_NODES:,} values once its aliases (*name) are replaced by what they point to; aliases may not multiply the document like this", line=n.start_mark.line + 1)]
            )


def _explain(text: str, rel: str, exc: yaml.YAMLError) -> Problem:
    """The problem with a file libyaml rejected, in the words of PyYAML's parser where it agrees."""
    if "maximum nesting depth" in str(exc):
        return _yaml_problem(exc, rel)
    try:
        yaml.compose(text, Loader=_Explainer)
    except yaml.YAMLError as py_exc:
        return _yaml_problem(py_exc, rel)
    except RecursionError:
        return Problem(rel, f"nests mappings or lists too deeply; expected at most {MAX_DEPTH} levels")
    return _yaml_problem(exc, rel)


def _yaml_problem(exc: yaml.YAMLError, rel: str) -> Problem:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark else None
    what = getattr(exc, "problem", None) or str(exc)
    if "maximum nesting depth" in what:
        return Problem(rel, f"nests mappings or lists too deeply; expected at most {MAX_DEPTH} levels", line=line)
    return Problem(rel, f"is not valid YAML: {what}{_yaml_hint(what)}", line=line)


def load_yaml(path: Path, rel: str | None = None) -> tuple[Any, dict[tuple, int]]:
    """The parsed document and ``{path tuple: line}``; UTF-16, bad UTF-8, bad YAML, repeated keys and hostile files are input errors."""
    rel = rel or Path(path).name
    raw = read_input(Path(path), rel, MAX_YAML_BYTES)
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise InputError([Problem(rel, "is UTF-16 text; save it as UTF-8", line=1)])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError([Problem(rel, f"is not UTF-8 text (byte 0x{raw[exc.start]:02x}); save it as UTF-8", line=line)]) from None
    if "\x00" in text:
        raise InputError([Problem(rel, "contains NUL bytes; it is not a text file")])
    key = hashlib.sha256(rel.encode() + b"\0" + raw).hexdigest()
    if key not in _CACHE:
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = parse_yaml(text, rel)
    data, lines = _CACHE[key]
    return copy.deepcopy(data), dict(lines)


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
