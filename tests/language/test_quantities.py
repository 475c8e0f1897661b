"""Numbers as written (separators, suffixes, words, Chinese numerals) and which number is the quantity."""

from __future__ import annotations

import pytest

from planbridge.language.rules.numbers import chinese_number, english_number, numeric_value
from tests.language.conftest import Parse


@pytest.mark.parametrize(("text", "value"), [
    ("五百", 500), ("一千二百", 1200), ("一千二", 1200), ("两百五", 250), ("十五", 15), ("二十", 20),
    ("一百零五", 105), ("三万五", 35000), ("一万二千", 12000), ("十万", 100000), ("两", 2), ("一千", 1000),
])
def test_chinese_numerals(text: str, value: float) -> None:
    assert chinese_number(text) == value


def test_a_run_of_digits_is_not_a_chinese_number() -> None:
    assert chinese_number("一二") is None
    assert chinese_number("五百个") is None


@pytest.mark.parametrize(("words", "value"), [
    ("two hundred", 200), ("a thousand", 1000), ("twelve hundred", 1200), ("one thousand two hundred", 1200),
    ("fifty", 50), ("two dozen", 24), ("half a dozen", 6), ("twenty five", 25), ("a hundred and fifty", 150),
])
def test_english_number_words(words: str, value: float) -> None:
    assert english_number(words.split()) == value


@pytest.mark.parametrize(("digits", "suffix", "value"), [
    ("1,200", "", 1200), ("1.2", "k", 1200), ("2", "K", 2000), ("1.2", "万", 12000), ("3", "千", 3000),
    ("12,000.5", "", 12000.5), ("500", "", 500),
])
def test_numerals_with_separators_and_suffixes(digits: str, suffix: str, value: float) -> None:
    assert numeric_value(digits, suffix) == value


@pytest.mark.parametrize(("text", "qty"), [
    ("quote 1,200 DN50 check valves", 1200),
    ("ACME is asking for 1.2k DN150 butterfly valves", 1200),
    ("how soon can we make two hundred gate valves", 200),
    ("Could we supply a thousand ball valves", 1000),
    ("DN80 ball valve x 400 for Globex", 400),
    ("150 x DN100-GATE", 150),
    ("60 pcs DN80 ball valve", 60),
    ("twelve DN150 butterfly valves", 12),
    ("华东水务要两百个球阀", 200),
    ("客户要五百个止回阀", 500),
    ("1.2万个闸阀", 12000),
    ("一千二百个止回阀", 1200),
    ("闸阀五十台", 50),
    ("DN150蝶阀 45台", 45),
    ("闸阀 100pcs", 100),
    ("Globex asked to reduce SO-2416 from 120 to 90", 90),  # the new quantity, never the old
    ("Globex要把SO-2416从120个减到90个", 90),
    ("SO-2419数量改成60个", 60),
    ("and 300?", 300),
])
def test_the_quantity_of_a_message(parse_valves: Parse, text: str, qty: float) -> None:
    assert parse_valves(text).slots.qty == qty


@pytest.mark.parametrize("text", [
    "Can we deliver DN100 gate valves by Jan 15?",  # the 100 of DN100 and the 15 of Jan 15
    "status of SO-2418",
    "OTIF last 30 days?",
    "within 10 days",
    "最近30天OTIF多少",
    "三个月内能交吗",
    "a 5% discount on ball valves",
    "price $500 for gate valves",
    "给我一个每日摘要",  # a digest: a quantity means nothing there
    "we need one of them",
])
def test_numbers_that_are_not_quantities(parse_valves: Parse, text: str) -> None:
    assert parse_valves(text).slots.qty is None
