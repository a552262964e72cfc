"""Text clean-up shared by the model, the rules and training.

Two views of one text:

* ``clean(text)``: what the rules read. HTML left by connectors, URLs, ``@mentions``, repost
  chains (``//@name:``) and platform boilerplate (``转发微博``, ``展开全文``, ``网页链接``) are
  removed; ``#话题#`` and ``【标题】`` keep their words (they often carry the complaint);
  full-width forms become ASCII (NFKC), traditional characters become simplified, runs of one
  character are capped at three, whitespace collapses. Digits are kept (``12315``).
* ``fold(clean(text))``: ``clean`` plus lower-case and every digit run -> ``0``, so
  "等了2个小时" and "等了3个小时" share features: what the model sees.

Weibo emoticons ``[怒]`` / ``<img alt=[怒]>`` are kept as ``[怒]``: they are among the strongest
sentiment signals on Weibo.
"""

from __future__ import annotations

import html
import re
import unicodedata

from watcher.scoring.t2s import to_simplified

_IMG_ALT = re.compile(r"<img\b[^>]*?\balt=[\"']?(\[[^\]<>\"']{1,10}\])[^>]*>", re.IGNORECASE)
_BR = re.compile(r"<br\s*/?>|</p>|</div>", re.IGNORECASE)
_TAG = re.compile(r"<[a-zA-Z/!][^<>]{0,1000}>")
_URL = re.compile(r"(?:https?://|www\.)[\w\-./?=&%#:~+@!,;]+|\bt\.cn/\w+", re.IGNORECASE)
# "//@name:" starts the quoted text of a repost; keep the text, drop the handle.
_REPOST = re.compile(r"//\s*@[^\s:@]{1,30}\s*:")
# Weibo puts a space or a colon after a mention; one not followed by either keeps its words
# (only the "@" goes), so "@小米客服你们怎么回事" does not lose the complaint.
_MENTION = re.compile(r"@[^\s@:,.!?;。、()【】\[\]]{1,30}(?=[\s@:]|$)")
_BOILERPLATE = re.compile(
    r"展开全文c?|\.{0,3}全文$|o?网页链接|转发微博|查看图片|原图|秒拍视频|的微博视频|"
    r"\(分享自@?[^)]{0,20}\)|分享图片|repost"
)
_TOPIC = re.compile(r"#([^#\n]{1,60})#")
_INVISIBLE = re.compile("[\u200b-\u200f\u2060\ufe0e\ufe0f\ufeff]")
_RUN = re.compile(r"(.)\1{3,}")
_SPACE = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+")


def _strip_html(text: str) -> str:
    if "<" in text:
        text = _IMG_ALT.sub(r"\1", text)
        text = _BR.sub(" ", text)
        text = _TAG.sub(" ", text)
    if "&" in text:
        # Twice: scraped Weibo text is often escaped twice ("&amp;quot;").
        text = html.unescape(html.unescape(text))
    return text


def clean(text: str) -> str:
    """The readable, simplified, noise-free form the rules match against."""
    text = _strip_html(text)
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = to_simplified(text)
    text = _URL.sub(" ", text)
    text = _REPOST.sub(" / ", text)
    text = _MENTION.sub(" ", text)
    text = text.replace("@", " ")
    text = _BOILERPLATE.sub(" ", text)
    text = _TOPIC.sub(r" \1 ", text)
    text = _RUN.sub(r"\1\1\1", text)
    return _SPACE.sub(" ", text).strip()


def fold(clean_text: str) -> str:
    """Case and digit folding of ``clean`` output."""
    return _DIGITS.sub("0", clean_text.lower())


def is_chinese(text: str, min_share: float = 0.2) -> bool:
    """True when CJK ideographs make up at least ``min_share`` of the letters."""
    han = letters = 0
    for ch in text:
        if "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf":
            han += 1
            letters += 1
        elif ch.isalpha():
            letters += 1
    return letters > 0 and han / letters >= min_share
