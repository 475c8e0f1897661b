"""The message catalogue, the one naming rule, and the sentences in Traditional Chinese."""

from __future__ import annotations

import string

import pytest

from planbridge.presentation.catalogue import LANGUAGES, keys, t, tn, translations
from planbridge.presentation.documents import quote_document
from planbridge.presentation.names import local_name
from planbridge.services.quoting import QuoteCommand, quote
from tests.fakes.services import fake_services
from tests.plants import MONDAY, day
from tests.unit.test_services_on_fakes import valve_plant


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_language_has_every_message() -> None:
    assert len(keys("en")) > 200
    for language in LANGUAGES:
        assert keys(language) == keys("en"), language


def test_traditional_chinese_asks_for_the_same_values_as_simplified() -> None:
    differ = [key for key in keys("en")
              if placeholders(translations("zh").gettext(key)) != placeholders(translations("zh-Hant").gettext(key))]
    assert differ == []


def test_plural_forms_follow_the_language() -> None:
    assert tn("en", "rush.slips", 1, slips="x") == "; 1 order would slip: x."
    assert tn("en", "rush.slips", 2, slips="x") == "; 2 orders would slip: x."
    assert tn("zh", "rush.slips", 2, slips="x") == "；将有2个订单延误：x。"


def test_an_unknown_key_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        t("en", "no.such.message")


def test_chinese_readers_get_the_longest_chinese_alias_everyone_else_the_name() -> None:
    aliases = ("CNC", "lathe 1", "数控车床", "数控车床1")
    assert local_name("CNC lathe 1", aliases, "zh") == "数控车床1"
    assert local_name("CNC lathe 1", aliases, "zh-Hant") == "數控車床1"  # in the reader's script
    assert local_name("CNC lathe 1", aliases, "en") == "CNC lathe 1"
    assert local_name("数控车床", ("CNC",), "zh") == "数控车床"  # a Chinese name stays
    assert local_name("Bench", ("bench 1",), "zh") == "Bench"


def test_a_quote_reads_in_traditional_chinese() -> None:
    services = fake_services(valve_plant(), today=MONDAY)
    answer = quote(QuoteCommand(item="V", qty=4, due=day(2), as_of=MONDAY, language="zh-Hant"), services)

    document = quote_document(answer)
    assert document.language == "zh-Hant"
    # the words are Traditional, and so is the item's alias (the plant spells it in Simplified)
    # (a promise for today: nothing holds it back, so no binding clause)
    assert document.explanation == "4個DN100閘閥最早可於1月4日交貨，可滿足要求交期。"
    simplified = quote_document(quote(QuoteCommand(item="V", qty=4, due=day(2), as_of=MONDAY, language="zh"),
                                      services))
    assert simplified.explanation == "4个DN100闸阀最早可于1月4日交货，可满足要求交期。"
