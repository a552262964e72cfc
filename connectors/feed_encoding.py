"""A feed's bytes decoded item by item: one item in GBK in a feed declared UTF-8 must not turn
the whole feed into mojibake. Each item (and the text between items) is decoded as declared;
one that is not valid in the declared encoding is decoded as the encoding detected for it alone,
unless that reads worse than the declared decoding with its bad bytes replaced."""

from __future__ import annotations

import codecs
import re

_ITEM = re.compile(rb"<(item|entry)\b.*?</\1\s*>", re.S | re.I)
_PROLOG_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([\w.:-]+)["']""")
_PROLOG = re.compile(r"""^(\s*<\?xml[^>]*?encoding\s*=\s*["'])[\w.:-]+(["'])""")
GUESSES = ("gb18030",)  # what a Chinese platform's stray item is in, when detection hesitates


def declared_encoding(content: bytes, charset: str | None) -> str:
    """The encoding the HTTP header, else the XML prolog, declares; UTF-8 when neither does or
    Python does not know the one declared."""
    found = _PROLOG_ENCODING.match(content[:200])
    for name in (charset, found.group(1).decode("ascii") if found else None):
        if name:
            try:
                return codecs.lookup(name).name
            except LookupError:
                continue
    return "utf-8"


def decode_by_item(content: bytes, declared: str, warnings: list[str]) -> str:
    """The feed as text, its XML prolog saying UTF-8 (what the text will be encoded in again);
    each item that was not valid `declared` is reported in `warnings`."""
    parts, start, index = [], 0, 0
    for match in _ITEM.finditer(content):
        parts.append(_decode(content[start:match.start()], declared, "the feed's channel",
                             warnings))
        parts.append(_decode(match.group(0), declared, f"entry {index}", warnings))
        start, index = match.end(), index + 1
    parts.append(_decode(content[start:], declared, "the feed's channel", warnings))
    return _PROLOG.sub(r"\1utf-8\2", "".join(parts), count=1)


def _decode(segment: bytes, declared: str, what: str, warnings: list[str]) -> str:
    try:
        return segment.decode(declared)
    except UnicodeDecodeError:
        pass
    from charset_normalizer.md import mess_ratio  # lazy: only for an item that fails to decode

    text = segment.decode(declared, errors="replace")
    mess, chosen = mess_ratio(text), None
    for name, candidate in _candidates(segment):
        if (found := mess_ratio(candidate)) <= mess:  # ties: no U+FFFD beats U+FFFD
            text, mess, chosen = candidate, found, name
    if chosen:
        warnings.append(f"{what}: not valid {declared}; read as {chosen}")
    else:
        warnings.append(f"{what}: not valid {declared}; "
                        f"{text.count(chr(0xFFFD))} bad bytes read as U+FFFD")
    return text


def _candidates(segment: bytes) -> list[tuple[str, str]]:
    """The readings of `segment` as the encoding detected for it and as GUESSES, where they
    decode without an error."""
    import charset_normalizer  # lazy: only for an item that fails to decode

    found = []
    best = charset_normalizer.from_bytes(segment).best()
    if best is not None:
        found.append((best.encoding, str(best)))
    for name in GUESSES:
        try:
            found.append((name, segment.decode(name)))
        except UnicodeDecodeError:
            continue
    return found
