from watcher.intake.dedup import content_hash, fingerprint, identify
from watcher.model import Mention
from watcher.text import canonical_url, excerpt, html_to_text, language, normalize


def mention(**kw: object) -> Mention:
    base: dict[str, object] = {"source": "s", "platform": "p", "text": "外卖送来是凉的，差评"}
    return Mention(**(base | kw))  # type: ignore[arg-type]


def test_html_to_text() -> None:
    assert html_to_text("<p>质量&amp;服务<br>都很差</p><script>x()</script>") == "质量&服务 都很差"
    assert html_to_text("plain  text\n") == "plain text"


def test_normalize_strips_repost_noise() -> None:
    weibo = "转发微博 //@小明: 这家店的外卖太差了！！ http://t.cn/abc @客服小助手"
    assert normalize(weibo) == normalize("这家店的外卖太差了")


def test_language() -> None:
    assert language("这个产品质量很差") == "zh"
    assert language("This product is broken") == "en"
    assert language("iPhone 屏幕碎了") == "zh"
    assert language("1234 !!") is None


def test_identity_falls_back_to_url_then_hash() -> None:
    assert identify(mention(external_id=" 42 ")) == "42"
    by_url = identify(mention(url="HTTPS://Example.com/p/1?utm_source=x&b=2#top"))
    assert by_url == "url:https://example.com/p/1?b=2"
    by_hash = identify(mention(author="张三"))
    assert by_hash.startswith("hash:")
    assert by_hash == identify(mention(author="张三", text="外卖送来是凉的，差评！"))
    assert by_hash != identify(mention(author="李四"))


def test_canonical_url_keeps_meaningful_query() -> None:
    assert canonical_url("https://x.com/a?id=3&spm=1.2&from=timeline") == "https://x.com/a?id=3"


def test_fingerprint_ignores_noise_but_not_short_texts() -> None:
    long_text = "收到的洗衣机外壳有裂缝，客服一直不回复"
    assert fingerprint(long_text) == fingerprint(f"转发微博 //@某人: {long_text} http://t.cn/x")
    assert fingerprint("差评") is None


def test_content_hash_changes_with_edits() -> None:
    assert content_hash(mention()) != content_hash(mention(text="外卖送来是凉的，差评。已解决"))


def test_excerpt() -> None:
    assert excerpt("短") == "短"
    assert excerpt("长" * 300, 10) == "长" * 9 + "…"


def test_inline_tags_do_not_split_words() -> None:
    assert html_to_text('#<span class="tag">acme</span> 很好') == "#acme 很好"
    assert html_to_text("<p>第一段</p><p>第二段</p>") == "第一段 第二段"
