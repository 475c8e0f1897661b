"""Feishu: how fast requests are verified and acknowledged, and how long until the answer is posted.

    .venv/bin/python -m benchmarks.feishu [--questions 20] [--verifications 2000]

Feishu re-sends an event or a card callback that is not answered within three seconds, so the
acknowledgement must not wait for the planning work. On the pumps plant (SQLite, fresh file),
through the real FastAPI app and a local mock of the Feishu Open API: (1) an encrypted, signed
event the app does not act on, repeated: signature check, AES decryption, token check and the
HTTP round trip; (2) N questions in a group
(quotes): the HTTP answer time and the time until the quote card is posted in the thread;
(3) N Book clicks on those cards: the HTTP answer time and the time until the card is closed
(one order each; a repeated click on each is answered and books nothing).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from fastapi.testclient import TestClient
from rich.console import Console
from rich.table import Table

from integrations.csv_import import read_plant_folder
from planbridge.app import build_http_app, build_runtime
from planbridge.services.plant import store_plant

ROOT = Path(__file__).resolve().parent.parent


def _wait(condition: object, timeout: float = 60.0) -> float:
    started = time.perf_counter()
    while not condition():  # type: ignore[operator]
        if time.perf_counter() - started > timeout:
            raise TimeoutError("the bot did not answer")
        time.sleep(0.002)
    return time.perf_counter()


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"{statistics.median(values) * 1000:.1f} / {p95 * 1000:.1f}"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--verifications", type=int, default=500)
    args = parser.parse_args(argv)

    from tests.conftest import make_services
    from tests.feishu.conftest import (
        MIA,
        SALES_CHAT,
        card_action,
        card_buttons,
        encrypt,
        feishu_client,
        feishu_settings,
        message_event,
        signed,
        with_feishu_ids,
    )
    from tests.feishu.mock_feishu import MockFeishu

    reading = read_plant_folder(ROOT / "tests" / "data" / "pumps")
    assert reading.snapshot is not None
    mock = MockFeishu()
    rows: list[list[str]] = []
    try:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{folder}/feishu.sqlite"
            settings = feishu_settings(url, mock)
            services = make_services(url, as_of=settings.as_of)
            store_plant(with_feishu_ids(reading.snapshot), services, replace=False)
            runtime = build_runtime(settings, services=services, listener_executor=ThreadPoolExecutor(4),
                                    feishu_client=feishu_client(mock))
            http = TestClient(build_http_app(settings, runtime=runtime))

            ignored = message_event("help", sender=MIA)
            ignored["header"]["event_type"] = "im.chat.updated_v1"  # verified and acknowledged, nothing done
            body = json.dumps({"encrypt": encrypt(ignored)}).encode()
            headers = signed(body)
            started = time.perf_counter()
            for _ in range(args.verifications):
                assert http.post("/feishu/events", content=body, headers=headers).status_code == 200
            per = (time.perf_counter() - started) / args.verifications
            rows.append(["verified, decrypted, answered (HTTP)", f"{per * 1000:.2f} ms", f"{args.verifications} requests"])

            def post(payload: dict[str, object], path: str) -> float:
                raw = json.dumps({"encrypt": encrypt(payload)}).encode()
                sent = time.perf_counter()
                assert http.post(path, content=raw, headers=signed(raw)).status_code == 200
                return sent

            acks, answers, cards = [], [], []
            for n in range(args.questions):
                before = len(mock.of("reply"))
                sent = post(message_event(f"when can we ship {n + 1} pump A to Acme?", sender=MIA,
                                          message_id=f"om_q{n}"), "/feishu/events")
                acks.append(time.perf_counter() - sent)
                answers.append(_wait(lambda b=before: len(mock.of("reply")) > b) - sent)
                reply = mock.of("reply")[before]
                mid = next(m for m, v in mock.messages.items() if v["content"] == reply.body["content"])
                cards.append((mid, card_buttons(reply.content)["book"]))
            rows.append(["question: HTTP answer (ms, median / p95)", _ms(acks), f"{args.questions} quotes"])
            rows.append(["question: quote card posted (ms)", _ms(answers), "first answer; exact follows"])

            acks, closed = [], []
            for mid, book in cards:
                before = len(mock.of("patch"))
                sent = post(card_action(book["value"], operator=MIA, message_id=mid, chat_id=SALES_CHAT),
                            "/feishu/cards")
                acks.append(time.perf_counter() - sent)
                closed.append(_wait(lambda b=before: len(mock.of("patch")) > b) - sent)
            repeats = []
            for mid, book in cards:
                sent = post(card_action(book["value"], operator=MIA, message_id=mid, chat_id=SALES_CHAT),
                            "/feishu/cards")
                repeats.append(time.perf_counter() - sent)
            time.sleep(0.5)
            booked = sum(1 for o in services.snapshot().sales_orders if o.order_id.startswith("SO-"))
            rows.append(["Book click: HTTP answer (ms)", _ms(acks), f"{len(cards)} clicks"])
            rows.append(["Book click: order booked, card closed (ms)", _ms(closed), f"{booked} orders booked"])
            rows.append(["repeated Book click: HTTP answer (ms)", _ms(repeats), "books nothing"])
            runtime.stop()
    finally:
        mock.close()

    table = Table(title="Feishu adapter (pumps plant, SQLite, mock Open API)")
    for column in ("measure", "value", "note"):
        table.add_column(column)
    for row in rows:
        table.add_row(*row)
    Console().print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
