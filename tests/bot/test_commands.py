"""`/planbridge`: quote, rush, kpi, digest and help, mapped to the same services; other text goes to `ask`."""

from __future__ import annotations

import json
import re

import pytest

from bot.actions import BOOK
from bot.commands import parse
from tests.bot.conftest import SALES_ZH, Harness, all_text, buttons, posted_blocks


@pytest.mark.parametrize(("text", "subcommand", "args", "options"), [
    ("quote PUMP-A 30 --due 2027-01-12 --customer Acme", "quote", ["PUMP-A", "30"], {"due": "2027-01-12", "customer": "Acme"}),
    ('quote "pump A" 30 --customer="Beta Water"', "quote", ["pump A", "30"], {"customer": "Beta Water"}),
    ("RUSH A-2 --due 2027-01-06", "rush", ["A-2"], {"due": "2027-01-06"}),
    ("kpi", "kpi", [], {}),
    ("", "help", [], {}),
    ("when can we ship 500 gate valves?", "ask", [], {}),
])
def test_slash_text_is_split_like_the_command_line(text: str, subcommand: str, args: list[str],
                                                   options: dict[str, str]) -> None:
    request = parse(text)
    assert (request.subcommand, request.args, request.options) == (subcommand, args, options)


def test_help_is_answered_in_the_acknowledgement(harness: Harness) -> None:
    response = harness.command("help")

    assert response.status_code == 200
    assert response.json()["response_type"] == "ephemeral"
    assert "/planbridge quote ITEM QTY" in response.json()["text"]
    assert harness.slack.responses() == []


def test_help_for_a_chinese_speaking_rep_is_in_chinese(harness: Harness) -> None:
    assert "几秒钟得到计划答复" in harness.command("", user=SALES_ZH).json()["text"]


def test_quote_answers_in_the_channel_with_blocks_and_a_book_button(harness: Harness) -> None:
    harness.command("quote PUMP-A 30 --due 2027-01-12 --customer Acme")

    [reply] = harness.slack.responses()
    assert reply.body["response_type"] == "in_channel"
    assert reply.body["text"].startswith("We can deliver 30 Centrifugal pump A for Acme on Jan 11")
    assert json.loads(buttons(reply.body["blocks"])[BOOK]["value"])["customer"] == "Acme"


def test_rush_shows_the_orders_that_would_slip(harness: Harness) -> None:
    harness.command("rush A-2 --due 2027-01-06")

    [reply] = harness.slack.responses()
    assert reply.body["text"] == "Rushed, A-2 can be ready Jan 6; 1 order would slip: A-1 (Acme) from Jan 5 to Jan 8."
    assert "A-1 (Acme): Jan 5 → Jan 8 (+3 d)" in all_text(reply.body["blocks"])


def test_kpi_shows_the_figures(harness: Harness) -> None:
    harness.command("kpi")

    [reply] = harness.slack.responses()
    fields = next(b for b in reply.body["blocks"] if "fields" in b)["fields"]
    assert fields[0]["text"] == "*On-time delivery (30 days)*\n66.7% (2 of 3 shipped)"
    assert fields[2]["text"] == "*Backlog*\n2 orders"


def test_free_text_after_the_command_goes_to_the_language_service(harness: Harness) -> None:
    harness.command("when can we ship 30 pump A to Acme by Jan 12?")
    harness.command("quote 30 pump A for Acme by Jan 12")  # not the strict form: parsed as a question

    first, second = harness.slack.responses()
    for reply in (first, second):
        assert reply.body["text"].startswith("We can deliver 30 Centrifugal pump A for Acme on Jan 11")
        assert BOOK in buttons(reply.body["blocks"])


def test_an_unknown_item_gets_one_friendly_line(harness: Harness) -> None:
    harness.command("quote FLUX-CAPACITOR 3")

    [reply] = harness.slack.responses()
    assert reply.body["response_type"] == "ephemeral"
    assert reply.body["text"] == "Sorry, that did not work: unknown item 'FLUX-CAPACITOR'; did you mean MOTOR?"
    assert "Traceback" not in reply.raw.decode()


def test_digest_posts_the_full_digest(harness: Harness) -> None:
    harness.command("digest")

    [reply] = harness.slack.responses()
    assert reply.body["blocks"][0]["type"] == "header"
    assert "Load per resource, next 14 days" in all_text(posted_blocks(reply.body))


def test_a_failure_in_the_acknowledgement_reaches_the_global_error_handler(harness: Harness, monkeypatch) -> None:
    calls = []

    def fails_once(text: str) -> object:
        calls.append(text)
        if len(calls) == 1:  # the ack function's call; the lazy listener's succeeds
            raise KeyError("internal detail")
        return parse(text)

    monkeypatch.setattr("bot.commands.parse", fails_once)

    harness.command("quote PUMP-A 3")

    apology, answer = harness.slack.responses()
    assert re.fullmatch(r"Sorry, something went wrong on my side; nothing was changed\. "
                        r"Please try again in a minute \(reference [0-9a-f]{8}\)\.", apology.body["text"])
    assert (apology.body["response_type"], apology.body["replace_original"]) == ("ephemeral", False)
    assert answer.body["text"].startswith("We can deliver 3 Centrifugal pump A")


def test_quality_log_list_and_close_from_the_slash_command(harness: Harness) -> None:
    from tests.bot.conftest import PLANNER

    harness.command('quality log complaint --order A-1 --qty 2 --note "leaks at the flange"')
    harness.command("quality --customer acme")
    harness.command("quality close QE-1001")  # a sales rep may not close it: refused, nothing changes
    harness.command("quality close QE-1001", user=PLANNER)
    replies = [r.body["text"] for r in harness.slack.responses()]
    assert replies[0] == "Logged QE-1001: complaint about Centrifugal pump A (Acme)."
    assert replies[1].startswith("acme: 1 open complaint(s), return(s) or NCR(s):")
    assert "may not close a quality event" in replies[2]
    assert replies[3] == "Closed QE-1001: complaint about Centrifugal pump A (Acme)."
