"""Feishu next to Slack: direct messages by open_id, digests routed by channel id, one app serving both,
the long connection, and the card drawing."""

from __future__ import annotations

import json
from datetime import timedelta

import lark_oapi as lark
from fastapi.testclient import TestClient
from slack_sdk import WebClient

from feishu.app import build_feishu_app
from feishu.cards import message, render_card
from feishu.channel import Directory, FeishuChannel
from planbridge.app import build_http_app, build_runtime, describe
from planbridge.bootstrap import chat_channel, wire_feishu
from planbridge.chat.digests import DigestDelivery
from planbridge.chat.routing import ChannelsByPlatform, platform_of
from planbridge.presentation.cards import Action as CardAction
from planbridge.presentation.cards import Bold, Button, Buttons, Card, Header, Mention, Paragraph, rich
from planbridge.services.subscriptions import ClaimPolicy, Subscribe, subscribe
from planbridge.settings import Settings
from planning_core.model import PlantSnapshot
from tests.bot.conftest import (
    AS_OF,
    SALES,
    SALES_CHANNEL,
    Harness,
    InlineExecutor,
    all_text,
    plant_services,
    posted_blocks,
    slack_settings,
)
from tests.bot.mock_slack import MockSlack
from tests.feishu.conftest import (
    LINA,
    FeishuHarness,
    card_text,
    feishu_client,
    feishu_settings,
    with_feishu_ids,
)
from tests.feishu.mock_feishu import MockFeishu

NOTICE = Card("A-2 moves", (Paragraph(rich("Your order ", Bold("A-2"), " moves to Jan 9")),))


def both_settings(db_url: str, slack: MockSlack, feishu: MockFeishu) -> Settings:
    """One plant on Slack and on Feishu: both platforms' settings in one process."""
    slack_only = slack_settings(db_url, slack)
    return feishu_settings(db_url, feishu, slack_bot_token=slack_only.slack_bot_token,
                           slack_signing_secret=slack_only.slack_signing_secret, slack_api_url=slack.api_url,
                           production_channel=slack_only.production_channel)


def test_direct_message_goes_to_the_plant_users_open_id(feishu_harness: FeishuHarness) -> None:
    channel = feishu_harness.runtime.feishu.channel if feishu_harness.runtime.feishu else None
    assert channel is not None

    posted = channel.direct_message("U3PROD", NOTICE)

    [sent] = feishu_harness.feishu.of("send")
    assert (sent.query["receive_id_type"], sent.body["receive_id"]) == ("open_id", "ou_wang")
    assert "Your order **A-2** moves to Jan 9" in card_text(sent.content)
    assert posted is not None and posted.channel == "oc_p2p_ou_wang"
    assert channel.direct_message("U4PLAN", NOTICE) is None  # no feishu_id: not on Feishu, nothing sent
    assert len(feishu_harness.feishu.of("send")) == 1


def test_slack_and_feishu_are_served_at_once_by_one_app(db_url: str, pumps: PlantSnapshot, slack: MockSlack,
                                                        feishu: MockFeishu) -> None:
    settings = both_settings(db_url, slack, feishu)
    services = plant_services(db_url, with_feishu_ids(pumps))
    runtime = build_runtime(settings, services=services, client=WebClient(token="xoxb-test", base_url=slack.api_url),
                            listener_executor=InlineExecutor(), feishu_client=feishu_client(feishu))
    http = TestClient(build_http_app(settings, runtime=runtime))
    slack_side = Harness(http, slack, services, runtime)
    feishu_side = FeishuHarness(http, feishu, services, runtime)

    assert http.get("/healthz").json()["slack"] is True and http.get("/healthz").json()["feishu"] is True
    slack_side.mention("when can we ship 30 pump A to Acme by Jan 12?", user=SALES)
    feishu_side.ask("1月12日之前能给Acme交30个A型离心泵吗？", sender=LINA)

    [slack_post] = slack.to("chat.postMessage")
    assert slack_post.body["channel"] == SALES_CHANNEL and "Jan 11" in all_text(posted_blocks(slack_post.body))
    [feishu_reply] = feishu.of("reply")
    assert "1月11日" in card_text(feishu_reply.content)
    # the same plant: both answers promise the same day, and neither platform heard the other's question
    assert "承诺交期" not in all_text(posted_blocks(slack_post.body)) and len(feishu.of("send")) == 0


def test_a_digest_subscribed_for_a_feishu_group_is_posted_there_and_a_slack_one_to_slack(
        db_url: str, pumps: PlantSnapshot, slack: MockSlack, feishu: MockFeishu) -> None:
    settings = both_settings(db_url, slack, feishu)
    services = plant_services(db_url, with_feishu_ids(pumps))
    feishu_sub = subscribe(Subscribe(channel="feishu:oc_digest", at="07:30", language="zh"), services)
    slack_sub = subscribe(Subscribe(channel="CDIGEST", at="07:30"), services)
    channel = chat_channel(services, settings, slack_client=WebClient(token="x", base_url=slack.api_url),
                           feishu_client=feishu_client(feishu))
    assert isinstance(channel, ChannelsByPlatform)
    delivery = DigestDelivery(services, channel, ClaimPolicy(lease=timedelta(minutes=5)))

    assert delivery.deliver(feishu_sub.subscription_id, AS_OF) is True
    assert delivery.deliver(slack_sub.subscription_id, AS_OF) is True

    card, picture = list(feishu.of("send"))
    assert card.body["receive_id"] == "oc_digest" and "每日摘要 · Example pump works · 1月4日" in card_text(card.content)
    assert picture.body["msg_type"] == "image" and len(feishu.of("image")) == 1
    [slack_post] = slack.to("chat.postMessage")
    assert slack_post.body["channel"] == "CDIGEST"


def test_serve_says_how_feishu_is_reached(feishu: MockFeishu) -> None:
    http = feishu_settings("sqlite://", feishu)
    socket = feishu_settings("sqlite://", feishu, feishu_long_connection=True)
    assert "Feishu: HTTP events at /feishu/events, card callbacks at /feishu/cards" in describe(http, host="h", port=1)
    assert "Feishu: long connection (WebSocket)" in describe(socket, host="h", port=1)


def test_channel_ids_name_their_platform() -> None:
    assert platform_of("feishu:oc_1") == ("feishu", "oc_1")
    assert platform_of("C0123") == (None, "C0123")


def test_the_long_connection_uses_the_sdk_websocket_client_on_the_same_dispatcher(
        sqlite_url: str, pumps: PlantSnapshot, feishu: MockFeishu) -> None:
    settings = feishu_settings(sqlite_url, feishu, feishu_long_connection=True, feishu_encrypt_key=None,
                               feishu_verification_token=None)
    services = plant_services(sqlite_url, with_feishu_ids(pumps))
    assert wire_feishu(services, settings, client=feishu_client(feishu)).start is not None
    app = build_feishu_app(services, settings, channel=FeishuChannel(feishu_client(feishu),
                                                                     Directory(lambda: services.snapshot().users)),
                           executor=InlineExecutor())

    connection = app.long_connection()

    # Constructed only: Feishu's WebSocket gateway (protobuf frames) has no local stand-in here.
    assert isinstance(connection.client, lark.ws.Client)
    assert connection.client._event_handler is app.dispatcher and connection.client._domain == feishu.origin
    # What the WebSocket client does with an event frame: the dispatcher, without HTTP verification.
    event = {"schema": "2.0", "header": {"event_id": "ev_ws", "event_type": "im.message.receive_v1", "token": ""},
             "event": {"sender": {"sender_id": {"open_id": LINA}, "sender_type": "user"},
                       "message": {"message_id": "om_ws", "chat_id": "oc_p2p", "chat_type": "p2p",
                                   "message_type": "text", "content": json.dumps({"text": "help"})}}}
    app.dispatcher._do_without_validation(json.dumps(event).encode())
    [sent] = feishu.of("send")
    assert sent.body["receive_id"] == "oc_p2p"


def test_cards_escape_plant_text_and_mention_by_open_id() -> None:
    people = Directory(dict).person
    card = Card("q", (Header("Quote"), Paragraph(rich("for <at id=all></at> *bold* ", Mention("U1"))),
                      Buttons("b", (Button("Book", CardAction.BOOK, {"qty": 3}, style="primary"),))))
    document = render_card(card, lambda uid: ("ou_1", "Mia") if uid == "U1" else people(uid))

    text = document["elements"][0]["text"]["content"]
    assert text == "for &lt;at id=all&gt;&lt;/at&gt; &#42;bold&#42; <at id=ou_1></at>"
    assert document["header"]["title"]["content"] == "Quote"
    [button] = document["elements"][1]["actions"]
    assert button["value"] == {"qty": 3, "planbridge_action": "book"} and button["type"] == "primary"
    assert document["config"]["update_multi"] is True
    msg_type, content = message(Card("t", (Paragraph(rich("hi ", Mention("U9"))),), text_only=True), people)
    assert (msg_type, json.loads(content)) == ("text", {"text": "hi @U9"})
