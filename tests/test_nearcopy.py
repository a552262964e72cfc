"""Near-copy signatures: what is stripped before shingling, the shingles, and signatures that
every process computes alike."""

from __future__ import annotations

import random
import struct
import subprocess
import sys

from watcher.intake import nearcopy
from watcher.intake.nearcopy import copy_text, shingles, signature, similarity

COMPLAINT = ("我在官方旗舰店买的洗衣机用了三天就漏水，地板泡坏了，联系客服五次都说等通知，"
             "到现在一个星期没人上门，要求退货赔偿")


def test_repost_decorations_are_stripped() -> None:
    decorated = (f"转发微博 //@消费者小王: #洗衣机漏水# {COMPLAINT} [怒][怒] 😡😡 "
                 "http://t.cn/A6x 网页链接 @品牌客服")
    assert copy_text(decorated) == copy_text(COMPLAINT)
    assert copy_text("回复 @Mr-Shadow :一样的问题，洗衣机漏水") == copy_text("一样的问题，洗衣机漏水")
    assert copy_text("洗衣机漏水了，客服不理 ...全文") == "洗衣机漏水了客服不理"
    assert copy_text("ＡＢＣ１２３，Ｏｋ") == "abc123ok"  # full-width folded, case and punctuation


def test_shingles_are_the_distinct_runs_of_three() -> None:
    assert shingles("漏水漏水了") == ["漏水漏", "水漏水", "漏水了"]
    assert shingles("很好很好很好很好") == ["很好很", "好很好"]
    assert shingles("短") == []


def test_short_or_repetitive_texts_get_no_signature() -> None:
    assert signature("质量不错，大小合适，穿上很舒服") is None  # 13 characters, common words
    assert signature("很好" * 50) is None  # long, but two distinct shingles
    assert signature("#话题# http://t.cn/x [哈哈]") is None
    assert signature(COMPLAINT) is not None


def test_similarity_counts_the_values_that_agree() -> None:
    """Counted on whole integers: the share of the 128 values that are equal, whichever bits
    of a value differ (the lowest, the highest, all of them)."""
    rng = random.Random(5)
    for _ in range(500):
        first = [rng.choice((0, 1, 2**31, 2**32 - 1, rng.getrandbits(32))) for _ in range(128)]
        second = [v if rng.random() < 0.5 else v ^ (1 << rng.randrange(32)) for v in first]
        values = struct.Struct("<128I")
        agree = sum(a == b for a, b in zip(first, second, strict=True))
        assert similarity(values.pack(*first), values.pack(*second)) == agree / 128


def test_signature_shape_and_similarity() -> None:
    sig = signature(COMPLAINT)
    assert sig is not None
    assert len(sig.digest) == nearcopy.SIGNATURE_BYTES and len(sig.bands) == nearcopy.BANDS
    assert len(set(sig.bands)) == nearcopy.BANDS
    assert all(-(2**63) <= band < 2**63 for band in sig.bands)  # a signed 64-bit column
    edited = signature(COMPLAINT.replace("三天", "四天").replace("五次", "六次"))
    other = signature("外卖送到的时候汤全洒了，骑手态度很差还让我给好评，商家也不管，"
                      "这是第二次了，再也不点这家")
    assert edited is not None and other is not None
    assert similarity(sig.digest, sig.digest) == 1.0
    assert similarity(sig.digest, edited.digest) >= nearcopy.THRESHOLD
    assert similarity(sig.digest, other.digest) < 0.1
    assert similarity(sig.digest, b"not a signature") == 0.0


def test_signatures_are_the_same_in_every_process() -> None:
    """No per-process seed, no salted hash(): replicas must agree on every stored value."""
    code = ("from watcher.intake.nearcopy import signature; import sys; "
            f"s = signature({COMPLAINT!r}); sys.stdout.write(s.digest.hex() + repr(s.bands))")
    outputs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              check=True, env={"PYTHONHASHSEED": seed}).stdout
               for seed in ("1", "2", "random")}
    here = signature(COMPLAINT)
    assert here is not None
    assert outputs == {here.digest.hex() + repr(here.bands)}
