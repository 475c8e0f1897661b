"""The Slack channel adapter against the local mock of the Slack Web API: post, update in place, DM, image."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.channel import SlackChannel
from planbridge.chat.ports import Place
from planbridge.presentation.cards import Bold, Card, Mark, Paragraph, rich, text_card
from tests.bot.mock_slack import MockSlack


def channel(slack: MockSlack) -> SlackChannel:
    return SlackChannel(WebClient(token="xoxb-test", base_url=slack.api_url))


def test_a_card_posted_in_a_thread_can_be_updated_in_place(slack: MockSlack) -> None:
    first = Card("Dec 19 (first answer)", (Paragraph(rich(Bold("Dec 19"), " ", Mark.WARNING, " first answer")),))
    exact = Card("Dec 12", (Paragraph(rich(Bold("Dec 12"), " ", Mark.OK, " earlier by resequencing")),))

    posted = channel(slack).post(Place("CSALES", "1.0001"), first)
    assert posted is not None
    channel(slack).update(posted, exact)

    [post] = slack.to("chat.postMessage")
    assert (post.body["channel"], post.body["thread_ts"]) == ("CSALES", "1.0001")
    assert post.body["blocks"][0]["text"]["text"] == "*Dec 19* :warning: first answer"
    [update] = slack.to("chat.update")
    assert (update.body["channel"], update.body["ts"]) == ("CSALES", posted.message_id)
    assert update.body["blocks"][0]["text"]["text"] == "*Dec 12* :white_check_mark: earlier by resequencing"
    assert update.body["text"] == "Dec 12"


def test_a_direct_message_opens_the_conversation_with_the_user_first(slack: MockSlack) -> None:
    posted = channel(slack).direct_message("U1SALES", text_card("SO-2417 moves to Dec 20 <after approval>"))

    assert slack.methods()[:2] == ["conversations.open", "chat.postMessage"]
    [post] = slack.to("chat.postMessage")
    assert post.body["channel"] == "DU1SALES" and posted is not None and posted.channel == "DU1SALES"
    assert post.body["blocks"][0]["text"]["text"] == "SO-2417 moves to Dec 20 &lt;after approval&gt;"


def test_an_image_is_uploaded_to_the_channel(slack: MockSlack) -> None:
    channel(slack).post_image("CDIGEST", b"\x89PNG\r\n\x1a\nrest", filename="digest.png", title="Load")

    [complete] = slack.to("files.completeUploadExternal")
    assert complete.body["channel_id"] == "CDIGEST"
