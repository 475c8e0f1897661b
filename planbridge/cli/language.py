"""Free text → structured planning calls → replies (issue #6): parse, ask, eval-nl."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from planbridge.cli.common import Cli, Commands, stdout
from planbridge.errors import NotFound

if TYPE_CHECKING:
    from planbridge.language.evaluation import EvalReport
    from planbridge.presentation.documents import ParseDocument
    from planbridge.services.context import ServiceContext

commands = Commands()

_MODE_HELP = "rules, llm or hybrid (default: PLANBRIDGE_NL_MODE, else hybrid)."


@commands.command("parse", help="Free text → structured request (no side effects).")
def parse(
    text: Annotated[str, typer.Argument(help="What the user wrote.")],
    mode: Annotated[str | None, typer.Option("--mode", help=_MODE_HELP)] = None,
    *,
    cli: Cli,
) -> None:
    from planbridge.bootstrap import language_models
    from planbridge.presentation.documents import ParseDocument
    from planbridge.services import language
    from planbridge.services.context import SystemClock

    services = _services_if_any(cli)
    if services is None:  # no database yet: dates, quantities and intents still parse; no item is known
        as_of = cli.as_of or SystemClock(fixed_today=cli.settings.as_of).today("UTC")
        request = language.understand(language.checked_text(text), snapshot=None, as_of=as_of,
                                      settings=cli.settings, models=language_models(cli.settings), mode=mode)
    else:
        request = language.parse_text(language.ParseCommand(text=text, as_of=cli.as_of, mode=mode), services)
    document = ParseDocument.model_validate(request.to_json())
    cli.emit(document, lambda: _print_parse(document))


@commands.command("ask", help="Free text → planning call → the reply the bot would post.")
def ask(
    text: Annotated[str, typer.Argument(help="What the user wrote.")],
    user: Annotated[str | None, typer.Option("--user", help="Chat user id (sets the reply language).")] = None,
    thread: Annotated[str | None, typer.Option("--thread", help="Conversation id: follow-ups reuse its slots.")] = None,
    mode: Annotated[str | None, typer.Option("--mode", help=_MODE_HELP)] = None,
    *,
    cli: Cli,
) -> None:
    from planbridge.chat import conversation

    answer = conversation.ask(
        conversation.AskCommand(text=text, user_id=user, thread_id=thread, as_of=cli.as_of, mode=mode), cli.services()
    )
    cli.emit(conversation.ask_document(answer),
             lambda: stdout.print(answer.reply.text, markup=False, highlight=False))


@commands.command("eval-nl", help="Score the language parser on an evaluation file (JSON lines).")
def eval_nl(
    file: Annotated[Path, typer.Argument(help="Evaluation cases, one JSON object per line.")],
    mode: Annotated[str, typer.Option("--mode", help="rules, llm or hybrid.")] = "rules",
    failures: Annotated[bool, typer.Option("--failures", help="Also list every case that was not fully right.")] = False,
    *,
    cli: Cli,
) -> None:
    from planbridge.bootstrap import language_models, plant_source
    from planbridge.services import language

    report = language.evaluate_nl(language.EvaluateNl(path=file, as_of=cli.as_of, mode=mode), _services_if_any(cli),
                                  source=plant_source(), models=language_models(cli.settings))
    cli.emit(report.to_json(), lambda: _print_report(report, failures))


def _services_if_any(cli: Cli) -> ServiceContext | None:
    try:
        return cli.services()
    except NotFound:
        return None


def _print_parse(parsed: ParseDocument) -> None:
    document = parsed.to_dict()
    table = Table(show_header=False, box=None)
    table.add_row("intent", document["intent"])
    for name, value in document["slots"].items():
        table.add_row(name, "—" if value is None else str(value))
    table.add_row("source", f"{document['source']} (confidence {document['confidence']:.2f})")
    unmatched = {k: v for k, v in document["unmatched"].items() if v}
    if unmatched:
        table.add_row("not found", ", ".join(f"{k}: {v}" for k, v in unmatched.items()))
    if document["note"]:
        table.add_row("note", document["note"])
    stdout.print(table)


def _print_report(report: EvalReport, failures: bool) -> None:
    document = report.to_json()
    stdout.print(f"{document['cases']} cases", markup=False)
    stdout.print(f"intent accuracy      {report.intent_accuracy:7.1%}", markup=False)
    stdout.print(f"full-frame accuracy  {report.frame_accuracy:7.1%}", markup=False)
    for group, score in document["by_language"].items():
        stdout.print(f"  {group:8} {score['cases']:4} cases  intent {score['intent_accuracy']:7.1%}  "
                     f"full frame {score['frame_accuracy']:7.1%}", markup=False)
    for name, key in (("window", "window_accuracy"), ("reply language", "reply_language_accuracy")):
        if document[key] is not None:
            stdout.print(f"{name + ' accuracy':20} {document[key]:7.1%}", markup=False)
    table = Table("slot", "accuracy", "filled cases", "accuracy when filled")
    for name, figures in document["slots"].items():
        filled = figures["filled_accuracy"]
        table.add_row(name, f"{figures['accuracy']:.1%}", str(figures["filled_cases"]),
                      "—" if filled is None else f"{filled:.1%}")
    stdout.print(table)
    if document["confusions"]:
        stdout.print("confusions (expected → got):", markup=False)
        for pair in document["confusions"]:
            stdout.print(f"  {pair['expected']} → {pair['got']}: {pair['count']}", markup=False)
    else:
        stdout.print("confusions: none", markup=False)
    if failures:
        for failure in document["failures"]:
            wrong = ", ".join(f"{k}={v['got']!r} (expected {v['expected']!r})" for k, v in failure["wrong_slots"].items())
            intent = "" if failure["expected_intent"] == failure["got_intent"] else (
                f" intent {failure['got_intent']} (expected {failure['expected_intent']})")
            stdout.print(f"  #{failure['id']} {failure['text']}:{intent} {wrong}", markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    commands.install(app)
