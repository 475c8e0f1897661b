"""Questions in Feishu groups and private chats, answered in their thread by the real app."""

from __future__ import annotations

from tests.feishu.conftest import (
    LINA,
    MIA,
    SALES_CHAT,
    VERIFICATION_TOKEN,
    FeishuHarness,
    card_buttons,
    card_text,
    message_event,
)


def test_url_verification_is_answered_with_the_challenge(feishu_harness: FeishuHarness) -> None:
    challenge = {"challenge": "ajls384kdjx98XX", "token": VERIFICATION_TOKEN, "type": "url_verification"}

    response = feishu_harness.send(challenge)

    assert response.status_code == 200
    assert response.json() == {"challenge": "ajls384kdjx98XX"}
    assert feishu_harness.feishu.kinds() == []


def test_a_chinese_question_in_a_group_mentioning_the_bot_gets_the_quote_card_in_its_thread(
        feishu_harness: FeishuHarness) -> None:
    response = feishu_harness.ask("1月12日之前能给Acme交30个A型离心泵吗？", sender=LINA, message_id="om_q1")

    assert response.status_code == 200
    [reply] = feishu_harness.feishu.of("reply")
    assert reply.message_id == "om_q1" and reply.body["reply_in_thread"] is True
    assert reply.body["msg_type"] == "interactive"
    card = reply.content
    text = card_text(card)
    assert "承诺交期" in text and "1月11日" in text
    book = card_buttons(card)["book"]
    assert book["text"]["content"] == "确认下单"
    assert {k: v for k, v in book["value"].items() if k != "planbridge_action"} == {
        "item_id": "PUMP-A", "qty": 30, "due": "2027-01-12", "customer": "Acme"}
    assert all(c.headers.get("Authorization") == "Bearer t-mock-tenant-token"
               for c in feishu_harness.feishu.calls if c.kind != "token")


def test_group_chatter_without_the_bot_is_ignored_but_a_private_message_is_answered_inline(
        feishu_harness: FeishuHarness) -> None:
    feishu_harness.ask("lunch anyone?", sender=MIA, mention_bot=False)
    assert feishu_harness.feishu.kinds() == []

    feishu_harness.ask("when can we ship 10 pump A to Acme?", sender=MIA, chat_id="oc_p2p_mia", chat_type="p2p",
                       mention_bot=False)

    [sent] = feishu_harness.feishu.of("send")
    assert sent.query["receive_id_type"] == "chat_id" and sent.body["receive_id"] == "oc_p2p_mia"
    assert "We can deliver 10 Centrifugal pump A for Acme" in card_text(sent.content)


def test_a_follow_up_in_the_bots_thread_is_answered_without_a_mention(feishu_harness: FeishuHarness) -> None:
    feishu_harness.ask("when can we ship 30 pump A to Acme?", sender=MIA, message_id="om_root")
    feishu_harness.ask("and 10?", sender=MIA, root_id="om_root", mention_bot=False)

    _first, second = feishu_harness.feishu.of("reply")
    assert "We can deliver 10 Centrifugal pump A for Acme" in card_text(second.content)


def test_an_event_the_app_does_not_act_on_is_acknowledged_and_ignored(feishu_harness: FeishuHarness) -> None:
    event = message_event("x", sender=MIA)
    event["header"]["event_type"] = "im.message.message_read_v1"

    assert feishu_harness.send(event).json() == {"msg": "ignored"}
    assert feishu_harness.feishu.kinds() == []


def test_a_resent_event_is_answered_once(feishu_harness: FeishuHarness) -> None:
    event = message_event("when can we ship 5 pump A to Acme?", sender=MIA, event_id="ev_same")
    feishu_harness.send(event)
    feishu_harness.send(event)

    assert len(feishu_harness.feishu.of("reply")) == 1
    assert SALES_CHAT
