"""Near copies: the same complaint reposted with a comment in front, or pasted elsewhere with a
few words changed, recognised by the overlap of its character shingles.

A text is reduced to what the customer wrote (repost marks, `//@name:` chains, `#话题#`, URLs,
@names, emoji and punctuation taken off), cut into overlapping runs of SHINGLE characters, and
summarised by a MinHash signature (rensa; a fixed seed and no use of Python's salted hash(), so
every process and replica computes the same signature). The signature is cut into BANDS bands;
two texts that share a band are candidates, confirmed when their signatures agree on at least
THRESHOLD of their positions (the estimated Jaccard similarity of their shingles). The figures
are measured on real reposts and on near-duplicate pairs of ../shared/eval/dev.csv labelled by
hand: bench/README.md, "Near copies", and tests/test_nearcopy_pairs.py.
"""

from __future__ import annotations

import hashlib
import re
import struct
from dataclasses import dataclass

from rensa import RMinHash

from watcher.text import normalize

SHINGLE = 3  # characters per shingle
PERMUTATIONS = 128  # signature length: the estimate's standard error is about 0.03
# Texts sharing one of BANDS bands of ROWS values are compared: a pair at similarity 0.5 shares
# one with probability 1 - (1 - 0.5**3)**32 = 0.986, at 0.4: 0.88, at 0.2: 0.23.
BANDS = 32
ROWS = 3
THRESHOLD = 0.5  # estimated Jaccard at or above which a text is a copy of another
# Fewer distinct shingles than this and texts match by chance ("质量不错，大小合适，穿上很舒服",
# "很好很好很好…"): those are left to the exact fingerprint, whose floor is lower.
MIN_SHINGLES = 24
SEED = 20261201  # part of the stored signatures: changing it orphans every stored band
SIGNATURE_BYTES = PERMUTATIONS * 4

_TOPIC = re.compile(r"#[^#\s]{1,40}#")  # Weibo's #话题#
_STICKER = re.compile(r"\[[^\[\]\s]{1,10}\]")  # [哈哈], [doge], [笑哭R]: platforms' emoji codes
# Weibo's own additions to a post's text: the link placeholder and the truncation mark
_WEIBO_MARKS = re.compile(r"O?网页链接|(?:\.\.\.|…)\s*全文\s*$")
_REPLY_TO = re.compile(r"^\s*回复\s*@[^:：]{1,30}[:：]")  # Bilibili's and Weibo's reply prefix
_PACK = struct.Struct(f"<{PERMUTATIONS}I")
_LOWEST_BITS = int.from_bytes(b"\x01\x00\x00\x00" * PERMUTATIONS, "little")  # of each value


@dataclass(frozen=True)
class Signature:
    """A text's MinHash signature as stored (bytes) and its band keys (64-bit, signed)."""

    digest: bytes
    bands: tuple[int, ...]


def copy_text(text: str) -> str:
    """What is left of `text` for comparing: the customer's words, without decorations."""
    text = _REPLY_TO.sub(" ", text)
    text = _TOPIC.sub(" ", text)
    text = _STICKER.sub(" ", text)
    text = _WEIBO_MARKS.sub(" ", text)
    return normalize(text)


def shingles(text: str) -> list[str]:
    """The distinct runs of SHINGLE characters of an already reduced text."""
    return list(dict.fromkeys(text[i : i + SHINGLE] for i in range(len(text) - SHINGLE + 1)))


def signature(text: str) -> Signature | None:
    """The signature of `text`, or None when too little of it is left to tell a copy."""
    parts = shingles(copy_text(text))
    if len(parts) < MIN_SHINGLES:
        return None
    minhash = RMinHash(PERMUTATIONS, SEED)
    minhash.update(parts)
    digest = _PACK.pack(*minhash.digest())
    return Signature(digest, band_keys(digest))


def band_keys(digest: bytes) -> tuple[int, ...]:
    """One key per band: a 64-bit hash of the band's number and values (blake2b, not hash():
    the same in every process)."""
    keys = []
    for band in range(BANDS):
        part = digest[band * ROWS * 4 : (band + 1) * ROWS * 4]
        key = hashlib.blake2b(bytes([band]) + part, digest_size=8).digest()
        keys.append(int.from_bytes(key, "big", signed=True))
    return tuple(keys)


def similarity(first: bytes, second: bytes) -> float:
    """Estimated Jaccard similarity: the share of signature positions that agree; 0 for a
    stored value that is not a signature of this scheme.

    Counted on the two signatures as integers, not value by value (a burst of complaints
    compares each new text with up to BANDS stored ones, twice): in their XOR a position that
    agrees is a 32-bit lane of zeros; OR-ing each lane's bits down into its lowest one leaves
    that bit set exactly where the position differs."""
    if len(first) != SIGNATURE_BYTES or len(second) != SIGNATURE_BYTES:
        return 0.0
    lanes = int.from_bytes(first, "little") ^ int.from_bytes(second, "little")
    for shift in (16, 8, 4, 2, 1):  # bit 0 of a lane gathers bits 0..31 of that lane only
        lanes |= lanes >> shift
    return (PERMUTATIONS - (lanes & _LOWEST_BITS).bit_count()) / PERMUTATIONS
