"""Text clean-up: Weibo noise, HTML, traditional characters, full-width forms."""

from __future__ import annotations

import pytest

from watcher.scoring.normalize import clean, fold, is_chinese

CASES = [
    ("熱水器漏電了，請儘快處理", "热水器漏电了,请尽快处理"),
    ("@小米客服 你们的手机又坏了！！！！！！", "你们的手机又坏了!!!"),
    ("@小米客服你们怎么回事，等了3个小时", "小米客服你们怎么回事,等了3个小时"),
    ("太慢了 http://t.cn/AiClTjJx //@张三:转发微博", "太慢了 /"),
    ("#外卖维权# 饭菜是凉的", "外卖维权 饭菜是凉的"),
    ('好吃<span class="url-icon"><img alt=[馋嘴] src="//h5.sinaimg.cn/x.png" /></span>',
     "好吃 [馋嘴]"),
    ("回复@李四:同感 展开全文c", "回复 :同感"),
    ("&amp;quot;质量&amp;quot;太差", '"质量"太差'),
    ("ＡＢＣ１２３１５", "ABC12315"),
    ("好好好好好好", "好好好"),
]


@pytest.mark.parametrize(("raw", "expected"), CASES)
def test_clean(raw: str, expected: str) -> None:
    assert clean(raw) == expected


def test_the_model_text_folds_case_and_digits() -> None:
    assert fold(clean("等了２个小时 iPhone")) == "等了0个小时 iphone"


@pytest.mark.parametrize(("text", "chinese"), [
    ("太差了", True), ("iPhone 14 太差了", True), ("This is terrible", False), ("", False),
    ("12315", False),
])
def test_is_chinese(text: str, chinese: bool) -> None:
    assert is_chinese(text) is chinese
