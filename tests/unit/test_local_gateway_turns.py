"""The local gateway hands the API function one request at a time, in the order they came: under a
burst none waits out its client's timeout while later ones go first."""

from __future__ import annotations

import contextlib
import threading
import time

from infra.local.gateway import Turns


def test_requests_are_served_in_the_order_they_came():
    turns, served = Turns(), []
    first = turns.take()
    first.__enter__()  # the API function is busy with a request

    def request(number: int) -> None:
        with turns.take():
            served.append(number)

    waiting = []
    for number in range(12):
        thread = threading.Thread(target=request, args=(number,))
        thread.start()
        waiting.append(thread)
        while turns._issued < number + 2:  # it holds its ticket before the next one comes
            time.sleep(0.001)
    first.__exit__(None, None, None)
    for thread in waiting:
        thread.join(timeout=10)

    assert served == list(range(12))


def test_a_request_that_fails_gives_the_next_its_turn():
    turns = Turns()
    with contextlib.suppress(RuntimeError), turns.take():
        raise RuntimeError("the handler failed")
    answered = threading.Event()

    def next_request() -> None:
        with turns.take():
            answered.set()

    thread = threading.Thread(target=next_request)
    thread.start()
    thread.join(timeout=5)

    assert answered.is_set()
