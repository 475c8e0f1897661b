"""Several chat platforms behind one channel: each post goes to the platform its channel id names."""

from __future__ import annotations

import pytest

from planbridge.chat.ports import Place, Posted
from planbridge.chat.routing import ChannelsByPlatform
from planbridge.errors import BadRequest
from planbridge.presentation.cards import text_card
from tests.fakes.chat import FakeChannel

CARD = text_card("hello")


def test_posts_updates_and_images_follow_the_channel_prefix() -> None:
    slack, feishu = FakeChannel(), FakeChannel()
    channel = ChannelsByPlatform({"feishu": feishu}, default=slack)

    posted = channel.post(Place("feishu:oc_1", "om_9"), CARD)
    channel.post(Place("C1"), CARD)
    assert posted == Posted("feishu:oc_1", "1")  # the prefix is kept, so an update finds its way back
    channel.update(posted, CARD)
    channel.post_image("feishu:oc_1", b"png", filename="d.png", title="t")

    assert [p for p, _ in feishu.posts] == [Place("oc_1", "om_9")]
    assert [p for p, _ in slack.posts] == [Place("C1")]
    assert [p for p, _ in feishu.updates] == [Posted("oc_1", "1")] and slack.updates == []
    assert [i[0] for i in feishu.images] == ["oc_1"]


def test_a_platform_that_is_not_configured_is_refused() -> None:
    channel = ChannelsByPlatform({"feishu": FakeChannel()}, default=None)
    with pytest.raises(BadRequest, match="no chat platform is configured for channel 'C1'"):
        channel.post(Place("C1"), CARD)
    with pytest.raises(BadRequest):
        channel.post(Place("dingtalk:x"), CARD)


def test_a_direct_message_goes_to_the_first_platform_that_knows_the_person() -> None:
    class Unknown(FakeChannel):
        def direct_message(self, user_id: str, card: object) -> Posted | None:  # type: ignore[override]
            return None

    feishu = FakeChannel()
    channel = ChannelsByPlatform({"feishu": feishu}, default=Unknown())
    assert channel.direct_message("U3PROD", CARD) == Posted("feishu:D-U3PROD", "1")
    assert [u for u, _ in feishu.direct] == ["U3PROD"]
