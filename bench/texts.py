"""Chinese texts for the feeds: real reviews and posts from ../shared/eval/dev.csv, or, where that
file is absent, sentences put together from a few parts (enough for the quick run)."""

from __future__ import annotations

import csv
import itertools
import random
from pathlib import Path

from bench.procs import ROOT

DEV_CSV = ROOT.parent / "shared" / "eval" / "dev.csv"

_SUBJECTS = ["这款手机", "外卖", "快递", "酒店房间", "客服", "洗衣机", "会员卡", "这家店"]
_PROBLEMS = ["质量太差了", "送来就坏了", "态度非常恶劣", "一直不给退款", "味道还不错",
             "物流很快，好评", "充电的时候冒烟了", "说好的赠品没有"]
_ENDINGS = ["，再也不买了", "，要去12315投诉", "，希望尽快处理", "，推荐购买", "，差评", "。"]


def load_texts(path: Path | None = None, limit: int | None = None, seed: int = 7) -> list[str]:
    """Distinct non-empty texts, shuffled with `seed` (the same list on every run)."""
    path = path or DEV_CSV
    if path.is_file():
        with path.open(encoding="utf-8", newline="") as fh:
            texts = list(dict.fromkeys(row["text"].strip() for row in csv.DictReader(fh)
                                       if row.get("text", "").strip()))
    else:
        texts = [f"{s}{p}{e}" for s, p, e in itertools.product(_SUBJECTS, _PROBLEMS, _ENDINGS)]
    random.Random(seed).shuffle(texts)
    return texts[:limit] if limit else texts


def source_of(path: Path | None = None) -> str:
    path = path or DEV_CSV
    return str(path) if path.is_file() else "generated sentences (dev.csv not found)"


# Complaints that every scorer version takes as tickets (risk rules fire), for alert latency.
COMPLAINTS = [
    "充电器充电的时候冒烟了，差点着火，太危险了，必须给个说法",
    "买的牛奶已经过期了，孩子喝了拉肚子，我要去12315投诉",
    "账户被盗刷了三千块，客服一直不处理，我要报警",
    "产品漏电，手被电了一下，你们必须今天解决",
    "退款拖了一个月还没到账，再不处理我就找媒体曝光",
    "吃了你们的外卖食物中毒，进了医院，我要找律师起诉",
]


# One viral incident: the same complaint in everyone's own words. Each text is this core plus a
# distinct piece of a real review, so the texts are similar (incident keywords) but no two are
# near copies of each other (3-character shingles), and each one is ticketed.
BURST_CORE = "新买的充电器充电的时候冒烟了，差点着火，太危险了"


def burst(count: int, texts: list[str] | None = None) -> list[str]:
    """`count` complaints about one cause, each with its own ending."""
    pool = texts or load_texts()
    tails = list(dict.fromkeys(t[:20] for t in pool if len(t) >= 20))
    return [f"{BURST_CORE}。{tails[i % len(tails)]}（{i}）" for i in range(count)]
