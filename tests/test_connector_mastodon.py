import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import respx

from tests.helpers import fails, fetch, source_from
from watcher.errors import SourceError

URL = "https://mastodon.social/api/v1/timelines/tag/acme"
BODY = (Path(__file__).parent / "fixtures" / "presets" / "mastodon.json").read_bytes()
RECORDED = "fixtures/mastodon/timelines_tag_ichbinhanna_limit5_mastodon_social.json"


def source(**keys: object) -> object:
    return source_from(**({"kind": "mastodon", "tag": "#acme", "page_delay": "0s"} | keys))


def status(local_id: int) -> dict[str, object]:
    return {"id": str(local_id), "uri": f"https://a.example/s/{local_id}", "content": "<p>x</p>",
            "created_at": "2026-11-20T08:00:00Z", "account": {"acct": "a"}}


@respx.mock
def test_statuses_are_identified_by_uri() -> None:
    route = respx.get(URL).respond(200, content=BODY)
    result = fetch(source())  # type: ignore[arg-type]
    remote, local = result.mentions
    assert remote.external_id == "https://chaos.example/users/erin/statuses/999"
    assert remote.url == "https://chaos.example/@erin/999" and remote.author == "erin@chaos.example"
    # (watcher.text puts a space inside "#<span>acme</span>": reported, not worked around here)
    assert remote.text.startswith("My #") and remote.text.endswith("acme order arrived broken & nobody replies.")
    assert remote.created_at == datetime(2026, 11, 20, 9, tzinfo=UTC)
    assert remote.engagement == {"likes": 5, "reposts": 2, "replies": 1}
    assert local.title == "acme rant" and local.text == "Refund still pending after 6 weeks."
    assert result.warnings == ["item 2: no numeric id ('')"]
    assert result.cursor == {"newest": 113500000000000002, "ids": [remote.external_id]}
    assert route.calls.last.request.url.params["limit"] == "40"


@respx.mock
def test_older_pages_by_the_link_header_until_the_cursor() -> None:
    older = f"{URL}?limit=40&max_id=19"
    route = respx.get(URL).mock(side_effect=[
        httpx.Response(200, json=[status(21), status(20)], headers={"Link": f'<{older}>; rel="next"'}),
        httpx.Response(200, json=[status(19), status(18)], headers={"Link": f'<{URL}?max_id=17>; rel="next"'}),
    ])
    result = fetch(source(), cursor={"newest": 18, "ids": ["https://a.example/s/18"]})  # type: ignore[arg-type]
    assert [m.external_id for m in result.mentions] == [f"https://a.example/s/{n}" for n in (21, 20, 19)]
    assert str(route.calls[1].request.url) == older and route.call_count == 2


@respx.mock
def test_instance_and_empty_tag() -> None:
    route = respx.get("https://social.example/api/v1/timelines/tag/%E5%AE%A2%E6%9C%8D").respond(200, json=[])
    result = fetch(source(instance="https://social.example/", tag="客服"))  # type: ignore[arg-type]
    assert route.called and result.mentions == [] and result.warnings == []


def test_a_bad_instance_is_a_config_error() -> None:
    from watcher.config import ConfigError

    with pytest.raises(ConfigError, match="instance: not a valid URL"):
        source(instance="mastodon.social")


@pytest.mark.parametrize(("name", "message"), [
    ("fixtures/mastodon/status_110446223051565765_mastodon_social.json", "found dict"),
    ("fixtures/mastodon/api_v2_search_type_statuses_empty.json", "found dict"),
])
@respx.mock
def test_a_single_status_or_a_search_answer_is_a_changed_shape(shared: Path, name: str,
                                                               message: str) -> None:
    respx.get(URL).respond(200, content=(shared / name).read_bytes())
    with pytest.raises(SourceError, match=message) as caught:
        fetch(source())  # type: ignore[arg-type]
    assert caught.value.kind == "parse"


@pytest.mark.parametrize(("response", "message", "kind"), [
    (httpx.Response(401, json={"error": "This method requires an authenticated user"}),
     "closed to guests", "auth"),
    (httpx.Response(429), "rate limited", "rate_limited"),
])
@respx.mock
def test_refused(response: httpx.Response, message: str, kind: str) -> None:
    fails(URL, response, source(), message, kind)


@respx.mock
def test_recorded_response(shared: Path) -> None:
    body = (shared / RECORDED).read_bytes()
    statuses = json.loads(body)
    respx.get(URL).respond(200, content=body)
    result = fetch(source())  # type: ignore[arg-type]
    assert [m.external_id for m in result.mentions] == [s["uri"] for s in statuses]
    for mention, recorded in zip(result.mentions, statuses, strict=True):
        assert mention.author == recorded["account"]["acct"] and mention.url == recorded["url"]
        assert mention.text and "<" not in mention.text
        assert mention.engagement["likes"] == recorded["favourites_count"]
    assert result.cursor["newest"] == max(int(s["id"]) for s in statuses)
