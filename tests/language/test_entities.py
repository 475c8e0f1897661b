"""Items, resources, customers and orders: by id, name or alias, in both languages, with typos."""

from __future__ import annotations

import pytest

from tests.language.conftest import Parse


@pytest.mark.parametrize(("text", "item_id"), [
    ("stock of DN100-GATE", "DN100-GATE"),  # id
    ("stock of dn100 gate", "DN100-GATE"),  # id, any case and separator
    ("stock of DN100 gate valves", "DN100-GATE"),  # name, plural
    ("stock of gate valve DN100", "DN100-GATE"),  # alias
    ("DN100闸阀库存", "DN100-GATE"),  # Chinese alias
    ("闸阀库存", "DN100-GATE"),  # short Chinese alias
    ("DN100 闸阀库存", "DN100-GATE"),  # a space inside an alias
    ("stock of DN80 ball valves", "DN80-BALL"),  # longer spelling wins over the alias "ball" of BALL-DN80
    ("DN80球体库存", "BALL-DN80"),
    ("球阀库存", "DN80-BALL"),
    ("how many gearboxes in stock", "GEARBOX-150"),  # plural with -es
    ("on-hand qty for DN100 bodies", "BODY-DN100"),  # plural y → ies
    ("M16螺栓库存", "BOLT-M16"),
    ("stock of gate vlaves", "DN100-GATE"),  # typo
    ("stock of ball valvs", "DN80-BALL"),  # typo
    ("stock of DN150 please", "DN150-BUTTERFLY"),  # a bare size code: the one finished item that carries it
])
def test_items_by_id_name_alias_in_both_languages(parse_valves: Parse, text: str, item_id: str) -> None:
    assert parse_valves(text).slots.item_id == item_id


@pytest.mark.parametrize(("text", "unmatched"), [
    ("Can we make 60 DN300 gate valves for ACME?", "DN300 gate valves"),  # DN300 is not a misspelt DN100
    ("DN300闸阀100个能做吗？", "DN300闸阀"),
    ("When can we deliver 150 Widget-X to Globex?", "Widget-X"),
])
def test_an_item_the_plant_does_not_have_stays_null(parse_valves: Parse, text: str, unmatched: str) -> None:
    request = parse_valves(text)
    assert request.slots.item_id is None
    assert request.unmatched.item == unmatched


def test_digits_must_match_even_when_fuzzy(parse_valves: Parse) -> None:
    assert parse_valves("stock of DN150 gate valves").slots.item_id != "DN100-GATE"


@pytest.mark.parametrize(("text", "resource_id"), [
    ("How loaded is the CNC lathe 2?", "CNC-2"),
    ("is the assembly line free tomorrow?", "ASSY"),
    ("数控车床2负荷怎么样", "CNC-2"),
    ("试压台忙吗", "TEST"),
    ("do we have capacity on the paint booth?", "PAINT"),
    ("capacity of the paint shop", "PAINT"),  # "paint" is also an item alias: capacity talk means the booth
])
def test_resources(parse_valves: Parse, text: str, resource_id: str) -> None:
    assert parse_valves(text).slots.resource_id == resource_id


def test_an_ambiguous_word_is_the_item_outside_capacity_talk(parse_valves: Parse) -> None:
    assert parse_valves("how much paint is left in stock").slots.item_id == "PAINT-EPOXY"


@pytest.mark.parametrize(("text", "customer"), [
    ("500 gate valves for ACME", "ACME"),
    ("500 gate valves for acme", "ACME"),  # the plant's spelling comes back
    ("500 gate valves for Acme Corp", "ACME"),
    ("华东水务要两百个球阀", "华东水务"),
    ("globx wants 200 ball valves", "Globex"),  # typo
    ("new enquiry from Stark Industries: 90 gate valves", "Stark Industries"),  # not a customer yet
    ("新客户海河水务要120个蝶阀", "海河水务"),
])
def test_customers(parse_valves: Parse, text: str, customer: str) -> None:
    assert parse_valves(text).slots.customer == customer


@pytest.mark.parametrize("text", ["ship to Friday please", "I am the production manager", "客户要五百个止回阀", "客户说不需要了"])
def test_words_that_are_not_customers(parse_valves: Parse, text: str) -> None:
    assert parse_valves(text).slots.customer is None


@pytest.mark.parametrize(("text", "order_id"), [
    ("status of SO-2418", "SO-2418"),
    ("status of so 2418", "SO-2418"),
    ("status so2418", "SO-2418"),
    ("When will order 2415 ship?", "SO-2415"),
    ("2415号订单什么时候发货", "SO-2415"),
    ("帮我把订单2419取消", "SO-2419"),
    ("#2420 status", "SO-2420"),
])
def test_orders(parse_valves: Parse, text: str, order_id: str) -> None:
    assert parse_valves(text).slots.order_id == order_id


def test_an_unknown_order_id_is_reported_not_guessed(parse_valves: Parse) -> None:
    request = parse_valves("ETA for SO-2999?")
    assert request.slots.order_id is None
    assert request.unmatched.order == "SO-2999"


def test_short_order_ids_need_their_own_shape(parse_pumps: Parse) -> None:
    assert parse_pumps("A-2加急").slots.order_id == "A-2"
    assert parse_pumps("is A-1 on schedule").slots.order_id == "A-1"
    assert parse_pumps("we need a 2 week slot").slots.order_id is None
    assert parse_pumps("A型离心泵100台").slots.order_id is None


def test_pump_plant_names(parse_pumps: Parse) -> None:
    assert parse_pumps("40 pump A for Acme").slots.item_id == "PUMP-A"
    assert parse_pumps("A型离心泵100台").slots.item_id == "PUMP-A"
    assert parse_pumps("50 pump casings").slots.item_id == "CASING"
    assert parse_pumps("How many motors do we have?").slots.item_id == "MOTOR"
    assert parse_pumps("车床下周负荷").slots.resource_id == "LATHE"
    assert parse_pumps("Beta Water的订单").slots.customer == "Beta Water"


def test_a_head_noun_names_the_one_item_called_so(parse_pumps: Parse, parse_valves: Parse) -> None:
    assert parse_pumps("are we short of motors?").slots.item_id == "MOTOR"  # "Motor 5.5 kW"
    assert parse_pumps("电机会不会缺").slots.item_id == "MOTOR"
    assert parse_valves("are we short of valves?").slots.item_id is None  # four items are valves
    assert parse_valves("下周会不会缺铸件").slots.item_id is None  # and seven are castings


def test_typo_repair_takes_one_slip_not_a_different_word(parse_valves: Parse) -> None:
    assert parse_valves("cancle SO-2419").intent.value == "cancel"
    assert parse_valves("can we deliver by wendesday").slots.due_date is not None
    assert parse_valves("Globex is chasing SO-2416").slots.item_id is None  # "chasing" is not "casting"


@pytest.fixture(scope="module")
def parse_gears() -> Parse:
    from datetime import date

    from planbridge.language.rules import lexicon_for, parse_rules
    from tests.conftest import load_folder

    lexicon = lexicon_for(load_folder("gearworks"))
    return lambda text, as_of=date(2027, 3, 10): parse_rules(text, lexicon=lexicon, as_of=as_of)


def test_two_words_of_a_name_name_it(parse_gears: Parse) -> None:
    assert parse_gears("hobbing machine load this week?").slots.resource_id == "HOB-1"  # "Gear hobbing machine"
    assert parse_gears("how many helical gearboxes do we have").slots.item_id is None  # GB200 and GB350 both are


def test_a_distinctive_first_word_names_a_customer(parse_gears: Parse) -> None:
    assert parse_gears("rush ORD-1003 for Nordwind by Monday").slots.customer == "Nordwind Energy"


def test_the_noun_said_first_is_the_subject(parse_gears: Parse) -> None:
    request = parse_gears("do we have enough bearings for the GB350 orders?")
    assert request.intent.value == "shortages" and request.slots.item_id == "BRG-6208"


def test_inflected_words_are_not_typos(parse_pumps: Parse) -> None:
    assert parse_pumps("Beta Water chasing A-2, can we bring it forward to Wednesday?").slots.item_id is None
