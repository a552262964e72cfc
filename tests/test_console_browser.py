"""The staff console in a real browser (Debian's Chromium, driven by Playwright) against a real
`watcher run` sweeping a local platform server: from the chat alert's link to an acknowledged
ticket, a note and its history; a `<script>` in a review shown as text; a form without its CSRF
token refused; anonymous visitors sent to log in; a viewer who cannot act. Screenshots of the
queue and a ticket (on a 1400 px desktop and a 390 px phone, where nothing may scroll sideways and
确认受理 must be on the first screen), the dashboard, the sources page and the report are taken;
with WATCHER_TEST_SCREENSHOTS=DIR they are also copied there, for a person to look at."""

from __future__ import annotations

import json
import os
import random
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.console_harness import PASSWORD, add_mention, add_ticket, users
from tests.daemon_process import Daemon, wait_for
from tests.servers import PlatformServer, Receiver, Route, free_port
from tests.test_e2e import platform, write_config

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = os.environ.get("WATCHER_TEST_SCREENSHOTS")
PHONE = {"width": 390, "height": 844}
APP_REVIEWS = """[[sources]]
name = "app-reviews"
kind = "json"
url = "URL/api/app-reviews"
items = "data.list"
fields = { id = "rid", text = "body", author = "nick", time = "ts" }
platform = "appstore"
"""

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is absent (Debian's chromium package)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is absent")


def _seed_history(database: Path) -> None:
    """A month of earlier mentions and handled tickets, so the dashboard has something to say."""
    from connectors import connector_for
    from watcher.config import parse
    from watcher.store.db import open_store
    from watcher.tickets.actions import apply

    store = open_store(f"sqlite:///{database}")
    config = parse({}, None, connector_for)
    rng = random.Random(8)
    now = datetime.now(UTC)
    kinds = [("product_quality", "热水器加热很慢，用了两周就坏了"), ("logistics", "快递三天没更新物流信息"),
             ("service", "客服回复很慢，等了一个小时"), ("after_sales", "退货申请一直没人审核"),
             ("price", "刚买就降价了，也不给价保")]
    for day in range(1, 30):
        for i in range(rng.randint(3, 9)):
            category, text = rng.choices(kinds, weights=[6, 4, 2, 1, 1])[0]
            where = rng.choice(["weibo", "xiaohongshu", "tieba", "appstore"])
            add_mention(store, text=text, created=now - timedelta(days=day, hours=rng.random()),
                        platform=where, source=where, author=f"网友{day}-{i}",
                        complaint=rng.random() < 0.7, category=category)
    for day in range(2, 28, 2):
        category, text = rng.choice(kinds)
        level = rng.choice([1, 2, 3, 3, 4])
        created = now - timedelta(days=day)
        ticket = add_ticket(store, text=text, level=level, category=category, created=created,
                            platform="weibo", source="weibo", author=f"顾客{day}",
                            assignee="小李",
                            deadline=timedelta(minutes=(10, 30, 120, 1440)[level - 1]))
        late = rng.random() < 0.25
        apply(store, config, ticket, "ack", actor="小李",
              now=created + timedelta(minutes=(15 if late else 5) * level))
        apply(store, config, ticket, "close", actor="小李", now=created + timedelta(hours=6))
    store.close()


class Console:
    """The running daemon, its platform and alert receiver, and a browser."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.platform: PlatformServer = platform()
        # a review whose author typed markup: the platform escapes it, so it arrives as text
        self.platform.routes["/api/app-reviews"] = Route(json.dumps({"data": {"list": [
            {"rid": "x1", "nick": "&lt;b&gt;黑客&lt;/b&gt;", "ts": "2026-11-22 12:00:00",
             "body": "&lt;script&gt;alert(1)&lt;/script&gt;电热水器漏水把地板泡坏了，"
                     "客服一直不管，要求赔偿"}]}}, ensure_ascii=False).encode())
        self.receiver = Receiver().start()
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        database = root / "watcher.db"
        _seed_history(database)
        web = "\n".join(f'[[web.users]]\nname = "{u["name"]}"\nrole = "{u["role"]}"\n'
                        f'password_hash = "{u["password_hash"]}"\n' for u in users())
        config = write_config(root / "config.toml", self.platform, self.receiver,
                              f"sqlite:///{database}",
                              f"{APP_REVIEWS}\n[web]\npublic_url = \"{self.url}\"\n{web}"
                              .replace("URL", self.platform.url))
        self.daemon = Daemon(config, root / "daemon.log", env={"WATCHER_WEB_PORT": str(port)})
        assert self.daemon.address() == self.url
        self.playwright = sync_api.sync_playwright().start()
        self.browser = self.playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                       headless=True, args=LAUNCH_ARGS)

    def alert_link(self, words: str) -> str:
        """The console link in the chat alert about the ticket whose text has `words`."""
        found: list[str] = []

        def arrived() -> bool:
            for alert in self.receiver.received:
                said = alert["message"].split("内容：", 1)[-1].split("\n", 1)[0]
                if words in said:  # the mention's text, not the suggested reply's
                    found.append(alert["message"].split("处理：", 1)[1].split()[0])
            return bool(found)

        assert wait_for(arrived, 60), self.daemon.log.read_text(encoding="utf-8")
        return found[0]

    def page(self, phone: bool = False) -> Any:
        """A fresh browser context: no cookies, nobody logged in; a desktop's 1400 px window,
        or with `phone` a phone's 390 x 844 (an iPhone 14's CSS pixels), touch and all."""
        screen = ({"viewport": PHONE, "is_mobile": True, "has_touch": True,
                   "device_scale_factor": 2} if phone else
                  {"viewport": {"width": 1400, "height": 900}})
        context = self.browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai",
                                           **screen)
        context.set_default_timeout(20_000)
        return context.new_page()

    def logged_in(self, name: str) -> Any:
        page = self.page()
        page.goto(f"{self.url}/login")
        log_in(page, name)
        page.wait_for_url(f"{self.url}/tickets")
        return page

    def screenshot(self, page: Any, name: str, full_page: bool = True) -> Path:
        """The whole page, or with `full_page=False` what the window shows without scrolling."""
        path = self.root / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        assert path.stat().st_size > 10_000, f"{name}: an empty screenshot"
        if SCREENSHOTS:
            Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, Path(SCREENSHOTS) / path.name)
        return path

    def close(self) -> None:
        self.browser.close()
        self.playwright.stop()
        assert self.daemon.stop() == 0
        self.platform.stop()
        self.receiver.stop()


def log_in(page: Any, name: str) -> None:
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    running = Console(tmp_path_factory.mktemp("console"))
    yield running
    running.close()


def test_from_the_alert_link_to_an_acknowledged_ticket(console: Console) -> None:
    link = console.alert_link("漏电")
    assert link.startswith(f"{console.url}/tickets/")
    page = console.page()
    page.goto(link)  # from the chat message, not yet logged in
    assert "/login?next=" in page.url
    log_in(page, "小李")  # click 1
    page.wait_for_url(link)
    assert "漏电" in page.inner_text(".mention-text")
    page.fill(".primary-action textarea[name=note]", "已致电用户，安排上门检修")
    page.click(".primary-action button")  # click 2: acknowledged
    page.wait_for_url(f"{link}?done=ack")
    assert page.inner_text(".page-head .status") == "已受理"
    page.fill("textarea[name=note][required]", "检修师傅已出发")
    page.click("text=添加备注")
    page.wait_for_url(f"{link}?done=note")
    history = page.inner_text(".history")
    assert "小李" in history and "已致电用户，安排上门检修" in history
    assert "检修师傅已出发" in history and "在时限内" in history
    console.screenshot(page, "ticket-1400")


def sideways_overflow(page: Any) -> int:
    """How many CSS pixels the page is wider than its window (0: nothing to scroll sideways)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def cut_off(page: Any, selector: str) -> list[str]:
    """The texts of the elements matching `selector` that do not fit in their own box."""
    return list(page.evaluate("""(selector) => [...document.querySelectorAll(selector)]
        .filter((el) => el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1
                        && getComputedStyle(el).overflow !== 'visible')
        .map((el) => el.innerText)""", selector))


def test_the_duty_manager_acknowledges_on_a_phone(console: Console) -> None:
    link = console.alert_link("面包")
    page = console.page(phone=True)
    page.goto(link)  # the chat message's link, opened on the phone
    log_in(page, "小李")
    page.wait_for_url(link)
    assert sideways_overflow(page) == 0
    # 确认受理 is on the first screen, above the complaint, without scrolling
    button = page.locator(".primary-action button").bounding_box()
    assert button["y"] + button["height"] <= PHONE["height"], button
    assert page.locator(".primary-action button").inner_text() == "确认受理"
    assert page.locator(".mention-text").bounding_box()["y"] > button["y"]
    console.screenshot(page, "ticket-390")
    console.screenshot(page, "ticket-390-first-screen", full_page=False)
    page.click(".primary-action button")
    page.wait_for_url(f"{link}?done=ack")
    assert page.inner_text(".summary").count("小李") == 1  # acknowledging took the ticket
    page.click("nav >> text=工单队列")
    page.wait_for_url(f"{console.url}/tickets")
    assert sideways_overflow(page) == 0
    # every navigation label whole, and the complaint text as wide as the card
    assert cut_off(page, ".top nav a, .top .tools a, .top .tools button") == []
    labels = page.locator(".top nav a").all_inner_texts()
    assert labels == ["工单队列", "数据看板", "报告"]
    tops = {round(page.locator(".top nav a").nth(i).bounding_box()["y"]) for i in range(3)}
    assert len(tops) == 1, "the labels sit on one line"
    text = page.locator("table.queue td.text").first.bounding_box()
    assert text["width"] > PHONE["width"] * 0.7, text
    assert page.locator("table.queue .chip.risk").count() >= 1  # the risk tags
    console.screenshot(page, "queue-390")
    console.screenshot(page, "queue-390-first-screen", full_page=False)
    # English words are longer: still nothing to scroll sideways, on either page
    for path in ("/tickets?lang=en", link.removeprefix(console.url)):
        page.goto(console.url + path)
        assert sideways_overflow(page) == 0, path
        assert cut_off(page, ".top nav a, .top .tools a, .top .tools button") == []
    console.screenshot(page, "ticket-390-en", full_page=False)


def test_the_suggested_reply_is_one_click_away(console: Console) -> None:
    link = console.alert_link("漏电")
    page = console.logged_in("小李")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=console.url)
    page.goto(link)
    reply = page.input_value("#suggested-reply")
    assert "非常抱歉" in reply and "停止使用" in reply  # the safety risk's reply
    page.click("button.copy")
    assert wait_for(lambda: page.inner_text("button.copy") == "✓ 已复制", 5)
    assert page.evaluate("navigator.clipboard.readText()") == reply
    assert page.locator(".similar").count() == 1


def test_a_script_in_a_review_is_shown_as_text(console: Console) -> None:
    link = console.alert_link("地板泡坏")
    page = console.logged_in("小李")
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(link)
    assert page.inner_text(".mention-text").startswith("<script>alert(1)</script>电热水器")
    assert "<b>黑客</b>" in page.inner_text(".mention")
    assert page.locator(".mention script, .mention b").count() == 0
    page.goto(f"{console.url}/tickets")
    assert "<script>alert(1)</script>" in page.inner_text("table.queue")
    page.wait_for_timeout(500)
    assert dialogs == []


def test_a_form_without_its_csrf_token_is_refused(console: Console) -> None:
    link = console.alert_link("退款申请一直不处理")
    page = console.logged_in("小李")
    page.goto(link)
    ticket_path = link.removeprefix(console.url)
    # what a forged form on another site would send: the session cookie, but no token
    status = page.evaluate("""async (path) => (await fetch(path + '/close', {
        method: 'POST', body: new URLSearchParams({note: 'forged'})})).status""", ticket_path)
    assert status == 403
    page.reload()
    assert page.inner_text(".page-head .status") != "已关闭"
    assert "forged" not in page.inner_text(".history")


def test_anonymous_visitors_are_sent_to_log_in(console: Console) -> None:
    page = console.page()
    for path in ("/tickets", "/dashboard", "/sources"):
        page.goto(console.url + path)
        assert page.url.startswith(f"{console.url}/login?next=")
        assert page.locator("input[name=password]").count() == 1


def test_a_viewer_reads_but_cannot_act(console: Console) -> None:
    link = console.alert_link("漏电")
    page = console.logged_in("访客")
    page.goto(link)
    assert "漏电" in page.inner_text(".mention-text")
    assert page.locator("form[action$='/ack'], form[action$='/note']").count() == 0
    assert "你的角色不能处理它" in page.inner_text(".ticket-side")
    token = page.get_attribute("form[action='/logout'] input[name=csrf]", "value")
    status = page.evaluate("""async ([path, token]) => (await fetch(path + '/resolve', {
        method: 'POST', body: new URLSearchParams({csrf: token})})).status""",
                           [link.removeprefix(console.url), token])
    assert status == 403
    page.goto(f"{console.url}/sources")
    assert "403" in page.inner_text("h1")


def test_queue_and_dashboard_look_right(console: Console) -> None:
    console.alert_link("漏电")
    page = console.logged_in("管理员")
    countdown = page.locator("table.queue [data-deadline]").first
    countdown.evaluate("(el) => { el.textContent = 'stale'; }")
    # console.js runs under the page's CSP: its next tick writes the time left again
    assert wait_for(lambda: countdown.inner_text().startswith("剩余"), 5)
    assert page.locator(".tiles .tile").count() == 8
    console.screenshot(page, "queue-1400")
    # someone else acknowledges a ticket; the queue shows it at its next refresh, and what
    # this user was choosing in the filters stays as it was
    link = console.alert_link("客服态度恶劣")
    path = link.removeprefix(console.url)
    row = page.locator("table.queue tr", has=page.locator(f"a[href='{path}']"))
    assert row.locator(".status").inner_text() == "待受理"
    page.select_option("select[name=level]", "3")
    other = console.logged_in("小李")
    other.goto(link)
    other.click(".primary-action button")
    other.wait_for_url(f"{link}?done=ack")
    awaiting = page.inner_text("#counts .tile:nth-child(2) b")
    page.evaluate("watcherConsole.refresh()")
    assert wait_for(lambda: row.locator(".status").inner_text() == "已受理", 10)
    assert int(page.inner_text("#counts .tile:nth-child(2) b")) == int(awaiting) - 1
    assert page.input_value("select[name=level]") == "3"
    page.click("nav >> text=数据看板")
    page.wait_for_url(f"{console.url}/dashboard")
    assert page.locator("svg.chart").count() == 4
    console.screenshot(page, "dashboard")
    page.click("nav >> text=数据源")
    assert page.locator("table.sources tbody tr").count() == 4
    console.screenshot(page, "sources")
    page.click("text=English")
    assert page.inner_text("h1") == "Sources"


def test_last_months_report_in_the_console(console: Console) -> None:
    from watcher.reporting.period import month_of

    last_month = month_of(datetime.now(UTC).date()).previous()
    page = console.logged_in("访客")
    page.click("nav >> text=报告")
    page.wait_for_url(f"{console.url}/reports")
    blocked: list[str] = []
    page.on("console", lambda message: blocked.append(message.text)
            if message.type == "error" else None)
    page.click(f"a[href='/reports/{last_month.key}']")
    page.wait_for_url(f"{console.url}/reports/{last_month.key}")
    assert page.inner_text("h1") == f"《投诉分析报告》{last_month.label}"
    assert page.locator("svg.chart").count() == 4  # no follow-ups in the seeded month: no scores
    # the inline stylesheet is allowed by its hash, and nothing else is
    radius = page.evaluate("getComputedStyle(document.querySelector('section.block'))"
                           ".borderTopLeftRadius")
    assert radius == "8px" and blocked == []
    assert int(page.inner_text(".tiles .tile b")) > 20  # the seeded month's complaints
    console.screenshot(page, "report")
