"""Bilibili's request signing and video ids, as bilibili-API-collect documents them
(docs/misc/sign/wbi.md and docs/misc/bvid_desc.md; CN-PLATFORMS.md section 2 re-computed the
published test vectors, which tests/test_connector_bilibili.py checks).

wbi: the `img_key` and `sub_key` are the file names in `data.wbi_img` of `/x/web-interface/nav`
(answered logged out too, with code -101); they rotate daily, so the mixin key is kept for the
day (Beijing time) per address it was read from.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from watcher.model import SourceError

MIXIN_KEY_ENC_TAB = (
    46, 47, 18, 2, 53, 8, 23, 32, 15, 50, 10, 31, 58, 3, 45, 35, 27, 43, 5, 49, 33, 9, 42, 19,
    29, 28, 14, 39, 12, 38, 41, 13, 37, 48, 7, 16, 24, 55, 40, 61, 26, 17, 0, 1, 60, 51, 30, 4,
    22, 25, 54, 21, 56, 59, 6, 63, 57, 62, 11, 36, 20, 34, 44, 52,
)
_STRIPPED = str.maketrans("", "", "!'()*")
_KEY_NAME = re.compile(r"/([0-9a-zA-Z]+)\.\w+$")
BEIJING = ZoneInfo("Asia/Shanghai")
_keys: dict[str, tuple[str, str]] = {}  # nav address -> (the day, its mixin key)

# BV ids (bvid_desc.md): base 58 over this alphabet, two pairs of places swapped
_ALPHABET = "FcwAPNKTMug3GV5Lj7EJnHpWsx4tb8haYeviqBz6rkCy12mUSDQX9RdoZf"
_XOR, _MASK, _MAX_AID = 23442827791579, (1 << 51) - 1, 1 << 51
_BV = re.compile(r"BV1[" + _ALPHABET + r"]{9}")


def mixin(img_key: str, sub_key: str) -> str:
    both = img_key + sub_key
    return "".join(both[i] for i in MIXIN_KEY_ENC_TAB if i < len(both))[:32]


def sign(params: Mapping[str, Any], key: str, now: float | None = None) -> dict[str, Any]:
    """`params` with `wts` (Unix seconds) and `w_rid`: the MD5 of the sorted, encoded query
    (`!'()*` taken out of the values, spaces as %20) followed by the mixin key."""
    signed = {**params, "wts": int(time.time() if now is None else now)}
    ordered = sorted((k, str(v).translate(_STRIPPED)) for k, v in signed.items())
    query = urlencode(ordered, quote_via=quote, safe="")
    return {**signed, "w_rid": hashlib.md5((query + key).encode()).hexdigest()}


async def mixin_key(nav: str, read: Callable[[str], Awaitable[Any]]) -> str:
    """The mixin key of today, read from `nav` (the parsed answer of `read(nav)`) once a day."""
    today = datetime.now(BEIJING).date().isoformat()
    kept = _keys.get(nav)
    if kept and kept[0] == today:
        return kept[1]
    document = await read(nav)
    names = [_KEY_NAME.search(str(_pick(document, f"data.wbi_img.{k}") or ""))
             for k in ("img_url", "sub_url")]
    if not all(names):
        raise SourceError("changed shape: bilibili's nav answer has no data.wbi_img keys",
                          "parse")
    key = mixin(*(match.group(1) for match in names if match))
    _keys[nav] = (today, key)
    return key


def video_aid(video: str) -> int | None:
    """The aid of `BV1…` or `av123` (or a bare number); None for anything else."""
    text = video.strip()
    if _BV.fullmatch(text):
        chars = list(text)
        chars[3], chars[9] = chars[9], chars[3]
        chars[4], chars[7] = chars[7], chars[4]
        number = 0
        for char in chars[3:]:
            number = number * 58 + _ALPHABET.index(char)
        return (number & _MASK) ^ _XOR
    digits = text.removeprefix("av").removeprefix("AV")
    return int(digits) if digits.isdigit() and int(digits) > 0 else None


def bvid(aid: int) -> str:
    """The BV id of an aid (what TikHub's Bilibili endpoints take)."""
    chars = list("BV1000000000")
    number, place = (_MAX_AID | aid) ^ _XOR, len(chars) - 1
    while number:
        chars[place] = _ALPHABET[number % 58]
        number //= 58
        place -= 1
    chars[3], chars[9] = chars[9], chars[3]
    chars[4], chars[7] = chars[7], chars[4]
    return "".join(chars)


def _pick(document: Any, path: str) -> Any:
    for part in path.split("."):
        document = document.get(part) if isinstance(document, dict) else None
    return document
