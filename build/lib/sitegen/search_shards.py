"""The search index in parts: Pagefind run over groups of pages, the outputs merged into one.

Pagefind has no incremental mode: it reads every page on every run (about 7 s and 680 MB at
10,000 activities). sitegen gives it the pages in groups instead (`shard_of`: the pages of
each activity, in every language, in one of 1-64 groups chosen by a checksum of the
activity's folder name; each term's pages in one of 1-16; every other page in the group
"site"), keeps what each group gave
(`Part`s, parsed, under the key of its pages) and merges the groups into the one index the
search page loads (`merge`), as Pagefind would have written it for all the pages at once:
the same pages, words, word positions and weights, filters and page lengths, so the same
results in the same order; only the cut of the word list into files differs (made as
Pagefind cuts it, `_chunks`). An edit then indexes one group of activities and the "site"
group again, and Pagefind never holds more than a group in memory.

Merging needs no decoding of the word positions. In Pagefind 1.5's index files (gzipped,
a signature, then CBOR: https://cbor.io) each word is `[word, [posting, ...], [[variant,
[posting, ...]], ...]]` (variants: the word's spellings with diacritics), each posting
`[page number, [positions], [meta positions]]`, and the page numbers of a word's postings
are each the difference from the one before. So a group's postings can be copied as bytes
behind the one page number that changes: the first, written again relative to the last page
of the group before. `parse` reads a group's files into that form; anything it does not
expect (another layout, a sort order: `data-pagefind-sort`) raises Unmergeable, and the
caller indexes all the pages in one run instead.

Pagefind numbers a run's pages in the order it finds their files, the order the file system
lists a folder in (hash order on ext4, creation order on tmpfs), so `parse` renumbers each
group's pages in the order of their URLs (`_in_url_order`): the same pages give the same
index bytes on every machine and file system.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

SIGNATURE = b"pagefind_dcd"  # what Pagefind's data files hold, gzip-compressed, before their CBOR
CHUNK_SIZE = 20000  # Pagefind's measure of an index file: word positions plus postings
SITE = "site"  # the group of the pages that are neither an activity's nor a term's


class Unmergeable(ValueError):
    """Pagefind's output is not of the layout `parse` reads: index the pages in one run."""


def groups_for(activity_pages: int) -> int:
    """How many groups the activity pages go into: about 300 pages each (a power of two, so
    that the groups change rarely as a site grows: each change indexes every page again)."""
    count = 1
    while count < 64 and activity_pages >= count * 2 * 300:
        count *= 2
    return count


TERMS = ("tags", "partners", "types")  # the folders of the term pages
# The kinds of page, other than activities' and terms', that the theme's templates give
# data-pagefind-body: a build in one process renders them before the other pages, so that
# their group is indexed while the rest render (an order, no more: a site's own templates
# may mark other pages, whose group is then indexed with the rest).
INDEXED_KINDS = frozenset({"area", "area_results", "country", "freepage", "indicator", "report", "results"})


def term_groups_for(term_pages: int) -> int:
    """How many groups the term pages go into: about 32 pages each, at most 16 (a power of
    two, as groups_for; a small site has one: each run costs a little)."""
    count = 1
    while count < 16 and term_pages >= count * 2 * 32:
        count *= 2
    return count


def shard_of(rel: str, groups: int, term_groups: int = 1) -> str:
    """The group of the page at output path `rel`: an activity's page (activities/<name>/...,
    or <language>/activities/<name>/...) goes with the other languages of that activity; a
    term's pages (tags/<name>/..., its pagination included) in one of `term_groups` groups
    of term pages (most of the other pages' bytes: an edit changes the few terms of its
    record); every other page in the group "site"."""
    return _shard(owner(rel), groups, term_groups)


def owner(rel: str) -> tuple[str, bytes] | None:
    """("a", the activity's folder name) for an activity's page, ("t", "<folder>/<term>")
    for a term's, None for any other page (shard_of). A page is an activity's or a term's
    under the folder (in a language's folder or not) that comes first in ("activities",
    *TERMS); folder/page/2/... is the list's."""
    parts = rel.split("/")
    found: tuple[int, int] | None = None  # (the folder's place in the order, where it is)
    for at in (0, 1):
        got = _FOLDERS.get(parts[at]) if len(parts) >= at + 3 else None
        if got is not None and parts[at + 1] != "page" and (found is None or got < found[0]):
            found = (got, at)
    if found is None:
        return None
    folder, at = parts[found[1]], found[1]
    if folder == "activities":
        return "a", parts[at + 1].encode("utf-8", "surrogateescape")
    return "t", f"{folder}/{parts[at + 1]}".encode("utf-8", "surrogateescape")


_FOLDERS = {folder: n for n, folder in enumerate(("activities", *TERMS))}


def _shard(found: tuple[str, bytes] | None, groups: int, term_groups: int) -> str:
    if found is None:
        return SITE
    prefix, name = found
    return f"{prefix}{zlib.crc32(name) % (groups if prefix == 'a' else term_groups):02d}"


def groups_of(pages: list[str]) -> dict[str, list[str]]:
    """The groups of these pages (shard_of, with as many groups as groups_for and
    term_groups_for give for their activity and term pages; a small site's pages all in
    the group "site": a run costs more than its pages), each group's pages in this order."""
    owners = [owner(rel) for rel in pages]
    count = groups_for(sum(1 for o in owners if o is not None and o[0] == "a"))
    terms = term_groups_for(sum(1 for o in owners if o is not None and o[0] == "t"))
    small = count == 1 and terms == 1
    members: dict[str, list[str]] = {}
    for rel, found in zip(pages, owners):
        members.setdefault(SITE if small else _shard(found, count, terms), []).append(rel)
    return members


def activity_page(rel: str) -> bool:
    found = owner(rel)
    return found is not None and found[0] == "a"


def term_page(rel: str) -> bool:
    found = owner(rel)
    return found is not None and found[0] == "t"


# ---- Pagefind's data files: gzip, a signature, then CBOR ---------------------------------

def unpack(data: bytes) -> Any:
    """The value of a Pagefind data file (gzip, the signature, CBOR)."""
    raw = gzip.decompress(data)
    if not raw.startswith(SIGNATURE):
        raise ValueError("not a Pagefind data file")
    value, end = cbor_decode(raw, len(SIGNATURE))
    if end != len(raw):
        raise ValueError("trailing bytes")
    return value


def pack(value: Any) -> bytes:
    """`unpack` undone (compressed as Pagefind does, without a time stamp)."""
    return gzip.compress(SIGNATURE + cbor_encode(value), compresslevel=9, mtime=0)


def cbor_decode(data: bytes, pos: int) -> tuple[Any, int]:
    """One CBOR item (the kinds Pagefind writes: integers, strings, arrays, maps, simple
    values; definite lengths) at `pos`; the item and the position after it."""
    head = data[pos]
    major, info = head >> 5, head & 31
    pos += 1
    if info < 24:
        arg = info
    elif info <= 27:
        size = 1 << (info - 24)
        arg, pos = int.from_bytes(data[pos:pos + size], "big"), pos + size
    else:
        raise ValueError(f"CBOR item {head:#x} not supported")
    if major == 0:
        return arg, pos
    if major == 1:
        return -1 - arg, pos
    if major == 2:
        return bytes(data[pos:pos + arg]), pos + arg
    if major == 3:
        return data[pos:pos + arg].decode("utf-8"), pos + arg
    if major == 4:
        items = []
        for _ in range(arg):
            item, pos = cbor_decode(data, pos)
            items.append(item)
        return items, pos
    if major == 5:
        table = {}
        for _ in range(arg):
            key, pos = cbor_decode(data, pos)
            table[key], pos = cbor_decode(data, pos)
        return table, pos
    if major == 7 and info in (20, 21, 22):
        return (False, True, None)[info - 20], pos
    raise ValueError(f"CBOR item {head:#x} not supported")


def cbor_head(major: int, arg: int) -> bytes:
    if arg < 24:
        return bytes([major << 5 | arg])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if arg < 1 << (8 * size):
            return bytes([major << 5 | info]) + arg.to_bytes(size, "big")
    raise ValueError("CBOR argument too large")


_UINTS: list[bytes] = []  # cbor_head(0, n) for n below len(_UINTS), made as far as asked


def _uint_heads(below: int) -> list[bytes]:
    """cbor_head(0, n) for every n below `below` (at most 2**16), at least."""
    n = len(_UINTS)
    if n < below:
        _UINTS.extend(bytes((k,)) for k in range(n, min(below, 24)))
        _UINTS.extend(bytes((0x18, k)) for k in range(max(n, 24), min(below, 256)))
        _UINTS.extend(b"\x19" + k.to_bytes(2, "big") for k in range(max(n, 256), below))
    return _UINTS


def cbor_encode(value: Any) -> bytes:
    """CBOR as Pagefind writes it (shortest heads, definite lengths): `cbor_decode` undone."""
    if value is False or value is True or value is None:
        return bytes([0xF4 + (False, True, None).index(value)])
    if isinstance(value, int):
        return cbor_head(0, value) if value >= 0 else cbor_head(1, -1 - value)
    if isinstance(value, bytes):
        return cbor_head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return cbor_head(3, len(raw)) + raw
    if isinstance(value, list):
        if value and all(type(v) is int for v in value) and min(value) >= 0 and (top := max(value)) < 1 << 16:
            heads = _uint_heads(top + 1)  # (a filter's page numbers: thousands of them, one head each)
            return cbor_head(4, len(value)) + b"".join([heads[v] for v in value])
        if value and all(type(v) is list and len(v) == 2 and type(v[0]) is str and type(v[1]) is int and v[1] >= 0
                         for v in value):  # (a language's pages, [fragment, words] each: thousands)
            return cbor_head(4, len(value)) + b"".join([b"\x82" + _cbor_text(v[0]) + cbor_head(0, v[1]) for v in value])
        return cbor_head(4, len(value)) + b"".join(cbor_encode(v) for v in value)
    if isinstance(value, dict):
        return cbor_head(5, len(value)) + b"".join(cbor_encode(k) + cbor_encode(v) for k, v in value.items())
    raise TypeError(f"no CBOR for {type(value).__name__}")


# ---- reading a group's index ------------------------------------------------------------

@dataclass
class Postings:
    """A word's postings in one group: how many, the first and last page numbers (in the
    group), and the bytes after the first page number (the rest of the first posting and
    all the others, as Pagefind wrote them)."""

    count: int
    first: int
    last: int
    rest: bytes
    weight: int  # Pagefind's chunk measure: positions + 1 per posting


@dataclass
class Part:
    """One language of one group's index."""

    version: str
    wasm: str
    # (fragment file, word count, SHA-1 of the file in hex: named by it), in page number (URL) order
    pages: list[tuple[bytes, int, str]]
    words: dict[str, tuple[Postings | None, dict[str, Postings]]]  # word -> (postings, variants)
    filters: dict[str, dict[str, list[int]]]  # filter -> value -> page numbers
    meta_fields: list[str]


@dataclass
class Group:
    """What one run of Pagefind gave: its languages, and the files every index has
    (pagefind.js, the language code files) with the settings of its entry file."""

    parts: dict[str, Part]
    statics: dict[str, bytes]
    entry_extra: dict[str, Any] = field(default_factory=dict)


def _head(data: bytes, pos: int) -> tuple[int, int, int]:
    """A CBOR head at `pos`: (major type, argument, position after it)."""
    head = data[pos]
    info = head & 31
    if info < 24:
        return head >> 5, info, pos + 1
    if info > 27:
        raise Unmergeable(f"CBOR item {head:#x}")
    size = 1 << (info - 24)
    return head >> 5, int.from_bytes(data[pos + 1:pos + 1 + size], "big"), pos + 1 + size


# bytes taken by an integer item (major types 0 and 1) by its head byte; 0: not an integer
_INT = bytes(({24: 2, 25: 3, 26: 5, 27: 9}.get(b & 31, 1 if b & 31 < 24 else 0)) if b >> 5 in (0, 1) else 0
             for b in range(256))


def _text(data: bytes, pos: int) -> tuple[str, int]:
    major, n, pos = _head(data, pos)
    if major != 3:
        raise Unmergeable("expected a string")
    return data[pos:pos + n].decode("utf-8"), pos + n


def _postings(data: bytes, pos: int, new: list[int] | None = None) -> tuple[Postings | None, int]:
    """The array of postings at `pos` (None when empty) and the position after it; with
    `new` (the new number of each page of the group), the postings renumbered."""
    major, n, pos = _head(data, pos)
    if major != 4:
        raise Unmergeable("expected postings")
    if n == 0:
        return None, pos
    first = last = 0
    start = weight = 0
    size = _INT
    moved: list[tuple[int, bytes]] = []  # (new page number, the posting after its page number)
    for i in range(n):  # (written out: a call per posting would double the time of a cold build's merge)
        if data[pos] != 0x83:
            raise Unmergeable("expected a posting of three items")
        head = data[pos + 1]
        if head < 24:
            delta, pos = head, pos + 2
        else:
            major, delta, pos = _head(data, pos + 1)
            if major != 0:
                raise Unmergeable("expected a page number")
        last += delta
        if i == 0:
            first, start = last, pos
        body = pos
        for arrays in (0, 1):  # its positions, then its positions in the meta fields
            head = data[pos]
            if 0x80 <= head < 0x98:
                count, pos = head - 0x80, pos + 1
            else:
                major, count, pos = _head(data, pos)
                if major != 4:
                    raise Unmergeable("expected an array of integers")
            for _ in range(count):
                step = size[data[pos]]
                if not step:
                    raise Unmergeable("expected an integer")
                pos += step
            if arrays == 0:
                weight += count + 1
        if new is not None:
            moved.append((new[last], data[body:pos]))
    if new is None:
        return Postings(n, first, last, data[start:pos], weight), pos
    return _renumbered(moved, weight), pos


def _renumbered(moved: list[tuple[int, bytes]], weight: int) -> Postings:
    """Postings from (new page number, rest of the posting), in any order."""
    moved.sort(key=lambda posting: posting[0])
    out, before = [moved[0][1]], moved[0][0]
    for page, rest in moved[1:]:
        out += [b"\x83", cbor_head(0, page - before), rest]
        before = page
    return Postings(len(moved), moved[0][0], before, b"".join(out), weight)


def _chunk_words(data: bytes, new: list[int] | None) -> dict[str, tuple[Postings | None, dict[str, Postings]]]:
    raw = gzip.decompress(data)
    if not raw.startswith(SIGNATURE) or raw[len(SIGNATURE)] != 0x81:
        raise Unmergeable("not a Pagefind index file")
    major, n, pos = _head(raw, len(SIGNATURE) + 1)
    if major != 4:
        raise Unmergeable("expected a word list")
    words: dict[str, tuple[Postings | None, dict[str, Postings]]] = {}
    for _ in range(n):
        if raw[pos] != 0x83:
            raise Unmergeable("expected a word of three items")
        word, pos = _text(raw, pos + 1)
        own, pos = _postings(raw, pos, new)
        major, nv, pos = _head(raw, pos)
        if major != 4:
            raise Unmergeable("expected variants")
        variants: dict[str, Postings] = {}
        for _ in range(nv):
            if raw[pos] != 0x82:
                raise Unmergeable("expected a variant of two items")
            spelled, pos = _text(raw, pos + 1)
            found, pos = _postings(raw, pos, new)
            if found is not None:
                variants[spelled] = found
        words[word] = (own, variants)
    if pos != len(raw):
        raise Unmergeable("trailing bytes")
    return words


def parse(files: dict[str, bytes]) -> Group:
    """A group's index from the files Pagefind wrote (path under its output folder -> bytes)."""
    try:
        entry = json.loads(files["pagefind-entry.json"])
        parts: dict[str, Part] = {}
        for lang, about in entry["languages"].items():
            meta = unpack(files[f"pagefind.{about['hash']}.pf_meta"])
            version, pages, chunks, filters, sorts = meta[:5]
            if sorts or len(meta) != 6:
                raise Unmergeable("sorted results (data-pagefind-sort)")
            fragments, new = _in_url_order(_fragments(files, pages))
            words: dict[str, tuple[Postings | None, dict[str, Postings]]] = {}
            for _, _, name in chunks:
                words.update(_chunk_words(files[f"index/{name}.pf_index"], new))
            table: dict[str, dict[str, list[int]]] = {}
            for name, file in filters:
                got = unpack(files[f"filter/{file}.pf_filter"])
                table[name] = {str(value): sorted(new[n] for n in at) if new else list(at) for value, at in got[1]}
            parts[lang] = Part(version, about.get("wasm") or "unknown",
                               fragments, words, table, [str(f) for f in meta[5]])
    except (KeyError, IndexError, TypeError, ValueError, EOFError, gzip.BadGzipFile) as exc:
        if isinstance(exc, Unmergeable):
            raise
        raise Unmergeable(f"{exc.__class__.__name__}: {exc}") from None
    statics = {rel: data for rel, data in files.items() if "/" not in rel and not rel.endswith(".pf_meta")
               and rel != "pagefind-entry.json"}
    extra = {k: v for k, v in entry.items() if k not in ("version", "languages")}
    return Group(parts, statics, extra)


def _fragments(files: dict[str, bytes], pages: list[list[Any]]) -> list[tuple[bytes, int, str]]:
    """A language's pages as Part.pages keeps them, from its meta file's (name, word count)."""
    out = []
    for name, count in pages:
        data = files[f"fragment/{name}.pf_fragment"]
        out.append((data, int(count), hashlib.sha1(data).hexdigest()))  # (hashed once, not on each merge)
    return out


def _in_url_order(pages: list[tuple[bytes, int, str]]) -> tuple[list[tuple[bytes, int, str]], list[int] | None]:
    """The pages sorted by URL, and the new number of each page (None: already in order).
    Pagefind numbers pages in the order it finds their files, which is the order the file
    system lists a folder in (hash order on ext4, creation order on tmpfs): renumbered, the
    same pages give the same index on every machine."""
    urls = [_url(data) for data, _, _ in pages]
    order = sorted(range(len(pages)), key=urls.__getitem__)
    if order == list(range(len(pages))):
        return pages, None
    new = [0] * len(pages)
    for rank, old in enumerate(order):
        new[old] = rank
    return [pages[old] for old in order], new


_URL = '{"url":'


def _url(fragment: bytes) -> str:
    """The URL a fragment file is of (its JSON starts with it)."""
    raw = gzip.decompress(fragment)
    if not raw.startswith(SIGNATURE):
        raise Unmergeable("not a Pagefind fragment")
    text = raw[len(SIGNATURE):].decode("utf-8")
    if text.startswith(_URL):
        return str(_JSON.raw_decode(text, len(_URL))[0])
    return str(json.loads(text)["url"])


_JSON = json.JSONDecoder()


# ---- writing the merged index -----------------------------------------------------------

def _cbor_text(text: str) -> bytes:
    raw = text.encode("utf-8")
    return cbor_head(3, len(raw)) + raw


def _joined(segments: list[tuple[int, Postings]]) -> tuple[bytes, int]:
    """Postings of several groups (offset of the group's pages, postings) as one array."""
    out = [cbor_head(4, sum(p.count for _, p in segments))]
    before = weight = 0
    for offset, p in segments:
        out += [b"\x83", cbor_head(0, p.first + offset - before), p.rest]
        before = p.last + offset
        weight += p.weight
    return b"".join(out), weight


def digest_name(lang: str, data: bytes, digits: int, clash: Callable[[str], bool], hexed: str = "") -> str:
    """A name as Pagefind makes them: `<language>_<start of a SHA-1 of the bytes>` (`hexed`,
    when the caller has it), `digits` long, longer while `clash` says the name is taken."""
    hexed = hexed or hashlib.sha1(data).hexdigest()
    while clash(f"{lang}_{hexed[:digits]}"):
        digits += 1
    return f"{lang}_{hexed[:digits]}"


def _name(taken: dict[str, bytes], lang: str, data: bytes, digits: int, hexed: str = "") -> str:
    """digest_name, taken by other bytes only (the same bytes share a name); kept in `taken`."""
    name = digest_name(lang, data, digits, lambda name: taken.get(name, data) != data, hexed)
    taken[name] = data
    return name


def _chunks(words: list[tuple[str, bytes, int]]) -> list[list[tuple[str, bytes, int]]]:
    """The sorted words cut into index files as Pagefind cuts them (chunk_index)."""
    chunks: list[list[tuple[str, bytes, int]]] = []
    chunk: list[tuple[str, bytes, int]] = []
    size = 0
    for word in words:
        chunk.append(word)
        size += word[2]
        if size >= CHUNK_SIZE:
            chunks.append(chunk)
            chunk, size = [], 0
    if chunk:
        chunks.append(chunk)
    return chunks


def _bounds(chunks: list[list[tuple[str, bytes, int]]]) -> list[list[str]]:
    """Each index file's first and last word, cut to the shortest prefixes that tell the
    neighbours apart (Pagefind's chunk_meta)."""
    bounds = [[c[0][0], c[-1][0]] for c in chunks]
    for a, b in zip(bounds, bounds[1:]):
        common = 0
        for x, y in zip(b[0], a[1]):
            if x != y:
                break
            common += 1
        a[1], b[0] = a[1][:common + 1], b[0][:common + 1]
    return bounds


def _merge_language(lang: str, parts: list[Part], files: dict[str, bytes], packed: dict[bytes, bytes],
                    fresh: dict[bytes, bytes]) -> dict[str, Any]:
    """Write one language's merged index into `files`; its entry in pagefind-entry.json.
    `packed`: index files compressed by earlier merges (by a digest of their bytes); those
    written now go into `fresh`."""
    offsets, total = [], 0
    for part in parts:
        offsets.append(total)
        total += len(part.pages)
    fragments: dict[str, bytes] = {}
    pages = [[_name(fragments, lang, data, 5, hexed), count] for part in parts for data, count, hexed in part.pages]
    for name, data in fragments.items():
        files[f"fragment/{name}.pf_fragment"] = data
    own: dict[str, list[tuple[int, Postings]]] = {}
    spelled: dict[str, dict[str, list[tuple[int, Postings]]]] = {}
    for offset, part in zip(offsets, parts):
        for word, (postings, variants) in part.words.items():
            if postings is not None:
                own.setdefault(word, []).append((offset, postings))
            for variant, found in variants.items():
                spelled.setdefault(word, {}).setdefault(variant, []).append((offset, found))
    words = []
    for word in sorted(own.keys() | spelled.keys()):
        body, weight = _joined(own.get(word, []))
        spellings = spelled.get(word, {})
        tail = [cbor_head(4, len(spellings))]
        for variant in sorted(spellings):
            joined, more = _joined(spellings[variant])
            tail += [b"\x82", _cbor_text(variant), joined]
            weight += more
        words.append((word, b"".join([b"\x83", _cbor_text(word), body, *tail]), weight))
    chunks = _chunks(words)
    names: dict[str, bytes] = {}
    index_files = []
    raws = [SIGNATURE + b"\x81" + cbor_head(4, len(chunk)) + b"".join(w[1] for w in chunk) for chunk in chunks]
    digests = [hashlib.sha1(raw).digest() for raw in raws]
    new = [raw for raw, digest in zip(raws, digests) if digest not in packed]
    with ThreadPoolExecutor(max_workers=2) as pool:  # (zlib lets go of the interpreter's lock)
        made = iter(pool.map(lambda raw: gzip.compress(raw, compresslevel=6, mtime=0), new))
    for digest, (low, high) in zip(digests, _bounds(chunks)):
        data = fresh[digest] = packed[digest] if digest in packed else next(made)
        name = _name(names, lang, data, 7)
        files[f"index/{name}.pf_index"] = data
        index_files.append([low, high, name])
    filters: dict[str, dict[str, list[int]]] = {}
    for offset, part in zip(offsets, parts):
        for filter_name, values in part.filters.items():
            for value, at in values.items():
                filters.setdefault(filter_name, {}).setdefault(value, []).extend(n + offset for n in at)
    listed = []
    taken: dict[str, bytes] = {}
    for filter_name in sorted(filters):
        table = [filter_name, [[value, filters[filter_name][value]] for value in sorted(filters[filter_name])]]
        data = pack(table)
        name = _name(taken, lang, data, 7)
        files[f"filter/{name}.pf_filter"] = data
        listed.append([filter_name, name])
    fields = sorted({f for part in parts for f in part.meta_fields})
    meta = pack([parts[0].version, pages, index_files, listed, [], fields])
    meta_name = _name({}, lang, meta, 10)
    files[f"pagefind.{meta_name}.pf_meta"] = meta
    return {"hash": meta_name, "wasm": parts[0].wasm, "page_count": total}


def merge(groups: list[Group], packed: dict[bytes, bytes] | None = None) -> dict[str, bytes]:
    """One index of the groups' pages (in the order given): path under pagefind/ -> bytes.
    `packed`: the index files compressed by the last merge (by a digest of their bytes),
    replaced by those of this one (compressing is most of a merge's time, and an edit
    changes few of them)."""
    files: dict[str, bytes] = {}
    fresh: dict[bytes, bytes] = {}
    versions = {part.version for group in groups for part in group.parts.values()}
    if len(versions) > 1:
        raise Unmergeable(f"indexes of several Pagefind versions: {sorted(versions)}")
    languages = {}
    for lang in sorted({lang for group in groups for lang in group.parts}):
        languages[lang] = _merge_language(lang, [g.parts[lang] for g in groups if lang in g.parts], files,
                                          packed if packed is not None else {}, fresh)
    if packed is not None:
        packed.clear()
        packed.update(fresh)
    for group in groups:
        for rel, data in group.statics.items():
            files.setdefault(rel, data)
    extra = next((g.entry_extra for g in groups if g.parts), {})
    entry = {"version": next(iter(versions), ""), "languages": languages, **extra}
    files["pagefind-entry.json"] = json.dumps(entry, ensure_ascii=False, sort_keys=True,
                                              separators=(",", ":")).encode("utf-8")
    return files
