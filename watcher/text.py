"""Text helpers shared by connectors, dedup and alerts: HTML to text, normalization, excerpts."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_SPACE = re.compile(r"\s+")
BLOCK_TAGS = ["br", "p", "div", "li", "ul", "ol", "tr", "td", "th", "h1", "h2", "h3", "h4",
              "h5", "h6", "blockquote", "pre", "hr", "section", "article", "header", "footer",
              "table", "img"]
_URL = re.compile(r"https?://\S+", re.I)
_AT = re.compile(r"@[\w\u4e00-\u9fff-]{1,30}[:：]?")
_REPOST = re.compile(r"//@[^:：]{1,30}[:：]|转发微博|轉發微博|\brt\b", re.I)
_NOT_WORD = re.compile(r"[\W_]+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
# C0 and C1 control characters and DEL, newline and tab apart: escape sequences a terminal or a
# chat client would act on (clear the screen, set the window title, ring the bell, link).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile("\r\n?")
_TRACKING = re.compile(r"^(utm_\w+|spm|from|share_\w+|xsec_\w+|fbclid|gclid|ref|ref_src)$", re.I)


def html_to_text(markup: str) -> str:
    """Visible text of an HTML fragment, entities decoded, white space collapsed."""
    if "<" not in markup and "&" not in markup:
        return collapse(markup)
    from bs4 import BeautifulSoup  # imported here: only sources with HTML need it

    soup = BeautifulSoup(markup, "lxml")
    for tag in soup(["script", "style"]):
        tag.decompose()
    # Blocks and line breaks separate words; inline tags do not ("#<span>tag</span>" is "#tag").
    for tag in soup.find_all(BLOCK_TAGS):
        tag.insert_before(" ")
        tag.insert_after(" ")
    return collapse(soup.get_text(""))


def strip_controls(text: str, *, keep_lines: bool = True) -> str:
    """`text` without control characters. Line breaks (CR LF and CR become LF) and tabs stay
    with `keep_lines`; without it they become spaces, for one-line fields."""
    if keep_lines:
        return _CONTROLS.sub("", _LINE_BREAKS.sub("\n", text))
    return _CONTROLS.sub("", _LINE_BREAKS.sub(" ", text).replace("\n", " ").replace("\t", " "))


def collapse(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def normalize(text: str, *, keep_breaks: bool = False) -> str:
    """The text reduced to what makes it the same post: no URLs, @names, repost marks, case,
    punctuation or spacing; full-width forms folded (NFKC). With keep_breaks, punctuation and
    spacing become one space, so words on either side stay apart."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _URL.sub(" ", text)
    text = _REPOST.sub(" ", text)
    text = _AT.sub(" ", text)
    return _NOT_WORD.sub(" " if keep_breaks else "", text)


def language(text: str) -> str | None:
    """`zh` when the text has Chinese characters, `en` when it is Latin letters only."""
    cjk = len(_CJK.findall(text))
    if cjk and cjk * 5 >= len(_LATIN.findall(text)):
        return "zh"
    return "en" if _LATIN.search(text) else None


def excerpt(text: str, limit: int = 140) -> str:
    text = collapse(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def canonical_url(url: str) -> str:
    """The URL without fragment and tracking parameters, scheme and host in lower case."""
    parts = urlsplit(url.strip())
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                   if not _TRACKING.match(k))
    path = parts.path or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, urlencode(query), ""))
