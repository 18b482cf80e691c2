"""Safe YAML loading that keeps the line of every key and reports every problem.

PyYAML's safe loader refuses Python tags but silently keeps the last of two equal keys,
turns `2024-02-30` into a bare ValueError and expands alias bombs without limit. This
loader records duplicate keys as located problems, keeps dates as text (the validator
parses them strictly), remembers each key's line and each scalar's source text (so that
an error can say "NO was read as a boolean"), and refuses documents whose aliases expand
beyond a fixed size.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# A content file expanding to more values than this is refused (alias bombs).
MAX_VALUES = 200_000


class YDict(dict):  # type: ignore[type-arg]
    """A mapping that remembers where each of its keys was written."""

    line: int = 0
    column: int = 0

    def __init__(self) -> None:
        super().__init__()
        self.marks: dict[Any, tuple[int, int]] = {}
        self.raw: dict[Any, str | None] = {}

    def where(self, key: Any) -> tuple[int, int]:
        """Line and column of `key`, or of the mapping itself when the key is absent."""
        return self.marks.get(key, (self.line, self.column))


class YList(list):  # type: ignore[type-arg]
    """A sequence that remembers where each of its items was written."""

    line: int = 0
    column: int = 0

    def __init__(self) -> None:
        super().__init__()
        self.marks: list[tuple[int, int]] = []
        self.raw: list[str | None] = []

    def where(self, index: int) -> tuple[int, int]:
        if 0 <= index < len(self.marks):
            return self.marks[index]
        return (self.line, self.column)


@dataclass(frozen=True)
class YamlProblem:
    line: int
    column: int
    message: str


class YamlError(Exception):
    """The document could not be read at all."""

    def __init__(self, line: int, column: int, message: str, hint: str = ""):
        super().__init__(message)
        self.line, self.column, self.message, self.hint = line, column, message, hint


# `key: value` on one line, the value unquoted
_KEY_VALUE = re.compile(r"^(\s*(?:- +)?)([^\s:#'\"][^:#]*?):[ \t]+(\S.*?)\s*$")


def _hint(text: str, line: int, message: str) -> str:
    """What to do about the commonest YAML slips on line `line` (0-based) of `text`: a value
    holding ": " (a title "Workshop: first steps"), or one that begins with a bracket or a
    quote and goes on after it ("[draft] Workshop"); '' for anything else."""
    lines = text.splitlines()
    found = _KEY_VALUE.match(lines[line]) if 0 <= line < len(lines) else None
    mapping = "mapping values are not allowed" in message
    key, value = found.groups()[1:] if found is not None else ("", "")
    # (a ": " in the value, or a value that opens a list, a mapping or a quote it does not end with)
    slip = (": " in value or value.endswith(":")) if mapping else value[:1] in ("[", "{", '"', "'")
    if not slip:
        return "indent each key as the other keys of its mapping, and quote a value holding ': '" if mapping else ""
    # (double quotes unless the value holds one, or a backslash, which they would read as an escape)
    quoted = '"' + value + '"' if not ('"' in value or "\\" in value) else "'" + value.replace("'", "''") + "'"
    return f"put the whole value in quotes: {key}: {quoted}"


# `key:value`: a key without the space after its colon, which YAML reads as one word
_NO_SPACE = re.compile(r"^([ \t]*(?:-[ \t]+)?)([A-Za-z_][\w-]*):([^\s:/])")
_CLOSES = {"{": "}", "[": "]"}


def _slip_above(text: str, exc: yaml.MarkedYAMLError, offset: int) -> tuple[int, int, str, str] | None:
    """The (0-based) line and column, message and hint of a slip YAML notices only lines
    below it: a `{` or `[` not closed on its line (YAML reads on into the next items and
    fails there, where quoting is no cure), or `key:value` without a space (it fails on
    the next line, finding no colon). None when the failure is elsewhere. (`offset`: the
    lines above `text` in its file.)"""
    context, problem = exc.context_mark, exc.problem_mark
    if context is None or problem is None or context.line >= problem.line:
        return None
    lines = text.splitlines()
    above = lines[context.line] if context.line < len(lines) else ""
    below = lines[problem.line] if problem.line < len(lines) else ""
    if exc.context in ("while parsing a flow mapping", "while parsing a flow sequence"):
        opened = above[context.column:context.column + 1]
        indent = len(above) - len(above.lstrip())
        # (a mapping written over several lines continues indented: the next item, or key, is not)
        if opened in _CLOSES and above.count(opened) > above.count(_CLOSES[opened]) \
                and len(below) - len(below.lstrip()) <= indent:
            kind = "mapping" if opened == "{" else "list"
            return (context.line, context.column, f"the '{opened}' opened here is not closed on its line "
                    f"(YAML reads on into line {problem.line + 1 + offset} and fails there)",
                    f"end the {kind} with '{_CLOSES[opened]}' on this line")
    if exc.context == "while scanning a simple key" and (m := _NO_SPACE.match(above)) is not None:
        key, value = m.group(2), above[m.end(2) + 1:].strip()
        return (context.line, m.end(2), f"no space after '{key}:': YAML reads '{above.strip()}' as one word",
                f"write a space after the colon: {key}: {value}")
    return None


# A line whose value opens a quote: `title: "Workshop`, `- 'item`
_OPENS_QUOTE = re.compile(r"""^[ \t]*(?:-[ \t]+)?(?:[^\s"'#:-][^:#]*:[ \t]+)?(["'])""")


def _unclosed_quote(text: str, before: int) -> tuple[int, int] | None:
    """The (0-based) line and column of the last quote opened and not closed on its line, on
    a line before `before`, whose value runs on to that line: YAML lets a quoted value run on
    to the next quote, lines below, and fails there; the quote is where the slip is. (A value
    quoted over two lines that ends well above the failure is YAML's, not the slip.)"""
    found = None
    lines = text.splitlines()
    for n, line in enumerate(lines[:before]):
        m = _OPENS_QUOTE.match(line)
        if m is None:
            continue
        quote, rest = m.group(1), line[m.end():]
        if _closing_quote(quote, rest) is not None:
            continue
        below = "\n".join(lines[n + 1:before + 1])
        end = _closing_quote(quote, below)
        if end is None or below.count("\n", 0, end) >= before - n - 2:  # (closed on the failing line, or its neighbour)
            found = (n, m.start(1))
    return found


def _closing_quote(quote: str, text: str) -> int | None:
    """Where the quote that closes a `quote`-quoted value is in `text` (None: not there)."""
    found = re.search(r'(?<!\\)"', text) if quote == '"' else re.search(r"'(?!')", text.replace("''", "\0\0"))
    return found.start() if found else None


class _Loader(_Base):  # type: ignore[misc]
    line_offset = 0

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.problems: list[YamlProblem] = []

    # The composer asks for the tag of every scalar; records repeat the same values (status,
    # area ids, tags), and without path resolvers the answer depends on the value alone.
    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is not ScalarNode:
            return super().resolve(kind, value, implicit)
        key = (value, implicit)
        tag = _RESOLVED.get(key)
        if tag is None:
            tag = super().resolve(kind, value, implicit)
            if len(_RESOLVED) < 100_000:
                _RESOLVED[key] = tag
        return tag

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass  # no path resolvers

    def ascend_resolver(self) -> None:
        pass


_RESOLVED: dict[tuple[str, Any], str] = {}


# Dates stay strings: the validator parses them strictly and reports their position.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}


def _pos(loader: _Loader, node: Any) -> tuple[int, int]:
    return (node.start_mark.line + 1 + loader.line_offset, node.start_mark.column + 1)


def _raw(node: Any) -> str | None:
    return node.value if isinstance(node, ScalarNode) else None


def _construct_map(loader: _Loader, node: MappingNode) -> Any:
    data = YDict()
    data.line, data.column = _pos(loader, node)
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=False)
        line, col = _pos(loader, key_node)
        try:
            hash(key)
        except TypeError:
            loader.problems.append(YamlProblem(line, col, "a mapping key must be a plain value"))
            continue
        if key in data:
            first = data.marks[key][0]
            loader.problems.append(YamlProblem(
                line, col, f"duplicate key '{key}' (first defined on line {first})"))
            continue
        data[key] = loader.construct_object(value_node, deep=False)
        data.marks[key] = (line, col)
        data.raw[key] = _raw(value_node)


def _construct_seq(loader: _Loader, node: SequenceNode) -> Any:
    data = YList()
    data.line, data.column = _pos(loader, node)
    yield data
    for child in node.value:
        data.append(loader.construct_object(child, deep=False))
        data.marks.append(_pos(loader, child))
        data.raw.append(_raw(child))


def _refuse(loader: _Loader, node: Any) -> Any:
    line, col = _pos(loader, node)
    raise YamlError(line, col, f"unsupported YAML tag '{node.tag}' (content is data, not code)")


_SCALAR_KINDS = {"tag:yaml.org,2002:int": "a whole number", "tag:yaml.org,2002:float": "a number",
                 "tag:yaml.org,2002:bool": "true or false"}


def _guarded(construct: Any, kind: str) -> Any:
    """A scalar constructor whose failures (`!!int abc`, `!!bool maybe`, a number of more
    digits than Python converts) become located YAML errors, not tracebacks."""
    def run(loader: _Loader, node: ScalarNode) -> Any:
        try:
            value = construct(loader, node)
            if isinstance(value, int) and value.bit_length() > 14_000:  # (0x... of any length: no
                raise ValueError("too many digits")  # message could show its 4,300+ decimal digits)
            return value
        except (ValueError, KeyError, OverflowError) as exc:
            shown = node.value if len(node.value) <= 40 else node.value[:37] + "..."
            why = " (too many digits)" if "digits" in str(exc) else ""
            raise ConstructorError(None, None, f"{shown!r} cannot be read as {kind}{why}",
                                   node.start_mark) from exc
    return run


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
_Loader.add_constructor(None, _refuse)
for _tag, _kind in _SCALAR_KINDS.items():
    _Loader.add_constructor(_tag, _guarded(_Loader.yaml_constructors[_tag], _kind))
# YAML's other standard tags build ordered pairs, sets, bytes and datetimes: types no field
# takes (a datetime does not even compare with a date), so they are refused like any other.
for _tag in ("omap", "pairs", "set", "binary", "timestamp"):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _refuse)


def _expanded_size(root: Any) -> int:
    """Number of values the document holds once aliases are expanded (memoised by identity)."""
    sizes: dict[int, int] = {}
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        obj, done = stack.pop()
        if not isinstance(obj, (dict, list)):
            continue
        if id(obj) in sizes and not done:
            continue
        children = list(obj.values()) if isinstance(obj, dict) else list(obj)
        if done:
            total = 1
            for child in children:
                total += sizes.get(id(child), 1)
                if total > MAX_VALUES:
                    break
            sizes[id(obj)] = min(total, MAX_VALUES + 1)
            continue
        sizes[id(obj)] = 1  # guards against recursion through self-referencing aliases
        stack.append((obj, True))
        stack.extend((c, False) for c in children if isinstance(c, (dict, list)))
    return sizes.get(id(root), 1)


_STR, _MAP, _SEQ = "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_PLAIN_SCALARS = frozenset({"tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
                            "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"})


_KEY_TAGS = _PLAIN_SCALARS | {_STR}


class _Unusual(Exception):
    """The document uses a tag, a merge key or a value the shortcuts do not construct:
    construct it the general way."""


class _TooBig(Exception):
    """The document expands beyond MAX_VALUES."""


def _construct_plain(loader: _Loader, root: Any) -> Any:
    """What _construct_map/_construct_seq give for a document of plain mappings, sequences and
    scalars, built in one pass over the composed nodes (PyYAML's general constructor, with
    its generators and per-node bookkeeping, costs about three times more). Counts values
    as aliases expand them and refuses documents beyond MAX_VALUES on the way."""
    constructors = loader.yaml_constructors
    problems = loader.problems
    offset = loader.line_offset + 1
    done: dict[int, tuple[Any, int]] = {}  # node -> value and expanded size (aliases share nodes)

    def build(node: Any) -> tuple[Any, int]:
        hit = done.get(id(node))
        if hit is not None:
            return hit
        kind, tag = node.__class__, node.tag
        if kind is ScalarNode:
            if tag == _STR:
                return node.value, 1
            if tag in _PLAIN_SCALARS:
                return constructors[tag](loader, node), 1
            raise _Unusual
        if kind is MappingNode and tag == _MAP:
            data = YDict()
            data.line, data.column = node.start_mark.line + offset, node.start_mark.column + 1
            done[id(node)] = (data, 1)  # a self-referencing alias sees this while it is filled
            marks, raws, size = data.marks, data.raw, 1
            for key_node, value_node in node.value:
                if key_node.__class__ is not ScalarNode or key_node.tag not in _KEY_TAGS:
                    raise _Unusual  # merge keys, complex keys, tagged keys
                key = build(key_node)[0]
                mark = key_node.start_mark
                if key in data:
                    problems.append(YamlProblem(
                        mark.line + offset, mark.column + 1,
                        f"duplicate key '{key}' (first defined on line {marks[key][0]})"))
                    continue
                value, n = build(value_node)
                data[key] = value
                marks[key] = (mark.line + offset, mark.column + 1)
                raws[key] = value_node.value if value_node.__class__ is ScalarNode else None
                size += n
                if size > MAX_VALUES:
                    raise _TooBig
        elif kind is SequenceNode and tag == _SEQ:
            seq = YList()
            seq.line, seq.column = node.start_mark.line + offset, node.start_mark.column + 1
            done[id(node)] = (seq, 1)
            size = 1
            for child in node.value:
                value, n = build(child)
                seq.append(value)
                mark = child.start_mark
                seq.marks.append((mark.line + offset, mark.column + 1))
                seq.raw.append(child.value if child.__class__ is ScalarNode else None)
                size += n
                if size > MAX_VALUES:
                    raise _TooBig
            done[id(node)] = (seq, size)
            return seq, size
        else:
            raise _Unusual
        done[id(node)] = (data, size)
        return data, size

    return build(root)[0]


def _tab_at(text: str, line: int, column: int) -> bool:
    """True when the error position (0-based) is a tab, or follows only whitespace with a tab."""
    lines = text.split("\n")
    if line >= len(lines):
        return False
    head = lines[line][: column + 1]
    return "\t" in head and not head.replace("\t", "").strip()


# -- the simplest documents without the YAML parser ----------------------------------------
# Front matter is mostly `key: value` lines and lists of `- value` lines. `_load_simple` reads
# exactly that subset (plain keys; plain scalars of word characters, double-quoted strings
# without escapes, single-quoted strings without quotes inside; block lists of such scalars)
# about four times faster than composing nodes, and gives None on anything else, which then
# takes the full loader. Tags are resolved by the loader's own resolver and constructors, so
# `yes`, `1_000` or `2024-02-30` mean what they mean to the full loader. tests/test_parallel.py
# compares both on the corpus, the example and generated variants.
_SIMPLE_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_]*):(?: +(.*))?\Z")
_SIMPLE_ITEM = re.compile(r"( *)- (.*)\Z")
_SIMPLE_PLAIN = re.compile(r"[^\W][\w .,/+()-]*\Z")
_YAML_NON_PRINTABLE = re.compile("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010ffff]")
# tabs, comments, a BOM, and what YAML takes as line breaks besides "\n"
_NOT_SIMPLE = ("\t", "#", "\ufeff", "\r", "\x85", "\u2028", "\u2029")
_SCALARS: dict[str, tuple[Any, bool]] = {}  # plain text -> its value, and whether it is a str


@functools.lru_cache(maxsize=1)
def _scalar_loader() -> _Loader:
    """A loader for its resolver and constructors only (made on first use)."""
    return _Loader("")


def _plain_scalar(text: str) -> tuple[Any, bool]:
    hit = _SCALARS.get(text)
    if hit is None:
        loader = _scalar_loader()
        tag = loader.resolve(ScalarNode, text, (True, False))
        if tag == _STR:
            hit = (text, True)
        elif tag in _PLAIN_SCALARS:
            try:
                hit = (loader.yaml_constructors[tag](loader, ScalarNode(tag, text)), False)
            except ConstructorError:
                raise _Unusual from None  # the full loader reports it with its position
        else:
            raise _Unusual
        if len(_SCALARS) < 100_000:
            _SCALARS[text] = hit
    return hit


def _simple_scalar(text: str) -> tuple[str, Any] | None:
    """The raw text and the value of a quoted or plain scalar of the simple subset (a quoted
    one's value is its raw text); None when outside the subset."""
    text = text.rstrip(" ")
    first = text[:1]
    if first == '"':
        if len(text) >= 2 and text[-1] == '"' and "\"" not in text[1:-1] and "\\" not in text:
            return text[1:-1], text[1:-1]
        return None
    if first == "'":
        if len(text) >= 2 and text[-1] == "'" and "'" not in text[1:-1]:
            return text[1:-1], text[1:-1]
        return None
    return (text, _plain_scalar(text)[0]) if _SIMPLE_PLAIN.match(text) else None


def _load_simple(text: str, offset: int) -> YDict | None:
    """The document of `text` if it is of the simple subset (see above), else None."""
    if any(c in text for c in _NOT_SIMPLE) or _YAML_NON_PRINTABLE.search(text):
        return None
    lines = text.split("\n")
    if len(lines) > MAX_VALUES // 2:
        return None
    root = YDict()
    seq: YList | None = None  # the list being read, and its items' indent
    indent = -1
    for n, line in enumerate(lines):
        if not line.strip(" "):
            continue
        if seq is not None:
            item = _SIMPLE_ITEM.match(line)
            if item is not None:
                here = len(item.group(1))
                if indent < 0:
                    indent = here
                    seq.line, seq.column = n + offset, here + 1
                elif here != indent:
                    return None
                scalar = _simple_scalar(item.group(2))
                if scalar is None:
                    return None
                raw, value = scalar
                seq.append(value)
                seq.marks.append((n + offset, here + 3))
                seq.raw.append(raw)
                continue
            if indent < 0:
                return None  # `key:` without items: null (the full loader knows where it is)
            seq = None
        pair = _SIMPLE_KEY.match(line)
        if pair is None:
            return None
        key, rest = pair.group(1), pair.group(2)
        if not _plain_scalar(key)[1] or key in root:
            return None  # a key read as true/null..., or a duplicate: the full loader reports
        if not root:
            root.line, root.column = n + offset, 1
        root.marks[key] = (n + offset, 1)
        if rest is None or not rest.strip(" "):
            seq, indent = YList(), -1
            root[key] = seq
            root.raw[key] = None
            continue
        scalar = _simple_scalar(rest)
        if scalar is None:
            return None
        root.raw[key], root[key] = scalar
    if (seq is not None and indent < 0) or not root:
        return None
    return root


def load(text: str, line_offset: int = 0) -> tuple[Any, list[YamlProblem]]:
    """Load one YAML document; returns the data and the non-fatal problems found.

    Raises YamlError (with the line counted from the top of the file) when the text is not
    YAML at all, uses a forbidden tag, or expands beyond MAX_VALUES.
    """
    try:
        simple = _load_simple(text, line_offset + 1)
    except _Unusual:
        simple = None
    if simple is not None:
        return simple, []
    loader = _Loader(text)
    loader.line_offset = line_offset
    too_big = YamlError(line_offset + 1, 1, f"YAML expands to more than {MAX_VALUES} values (alias bomb?)")
    try:
        node = loader.get_single_node()
        if node is None:
            return None, []
        try:
            return _construct_plain(loader, node), loader.problems
        except _TooBig:
            raise too_big from None
        except _Unusual:
            loader.problems = []
        data = loader.construct_document(node)
    except YamlError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark and "end of stream" in (exc.problem or ""):
            mark = exc.context_mark  # an unclosed quote or bracket: point at its start
        line = mark.line + 1 + line_offset if mark else line_offset + 1
        col = mark.column + 1 if mark else 1
        message = exc.problem or str(exc)
        if mark is exc.context_mark and "end of stream" in message:
            message = "the file ends before the quote or bracket opened here is closed"
        elif isinstance(exc, ConstructorError) and "constructor for the tag" in message:
            message = "unsupported YAML tag (content is data, not code)"
        elif mark and _tab_at(text, mark.line, mark.column):
            message = "tab character: YAML indentation must use spaces"
        elif mark and (quote := _unclosed_quote(text, mark.line)) is not None:
            message = (f"the quote opened here is not closed on its line (YAML reads on to line "
                       f"{mark.line + 1 + line_offset} and fails there: {message})")
            line, col = quote[0] + 1 + line_offset, quote[1] + 1
            raise YamlError(line, col, f"invalid YAML: {message}", "end the value with the same quote") from exc
        elif (slip := _slip_above(text, exc, line_offset)) is not None:
            raise YamlError(slip[0] + 1 + line_offset, slip[1] + 1, f"invalid YAML: {slip[2]}", slip[3]) from exc
        elif exc.context and exc.context_mark and exc.context_mark.line != mark.line:
            message += f" ({exc.context} on line {exc.context_mark.line + 1 + line_offset})"
        hint = _hint(text, mark.line, message) if mark else ""
        raise YamlError(line, col, f"invalid YAML: {message}", hint) from exc
    except yaml.YAMLError as exc:
        raise YamlError(line_offset + 1, 1, f"invalid YAML: {exc}") from exc
    except RecursionError as exc:
        raise YamlError(line_offset + 1, 1, "YAML nested too deeply") from exc
    finally:
        loader.dispose()
    if _expanded_size(data) > MAX_VALUES:
        raise too_big
    return data, loader.problems
