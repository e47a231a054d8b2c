"""The notice that says, while requests wait, how long the oldest has been in flight."""

import time

from generator.commands.waiting import WaitingNotice
from generator.streaming import InFlight


def test_a_waiting_request_is_announced_with_its_age_and_nothing_once_it_is_answered():
    in_flight, lines = InFlight(), []
    with WaitingNotice(in_flight, lines.append, after_s=0.1, every_s=0.05):
        with in_flight.request():
            time.sleep(0.4)
        announced = len(lines)
        time.sleep(0.2)
    assert announced >= 2 and len(lines) == announced
    assert lines[0].startswith("waiting for the model: 1 request in flight, the oldest for ")


def test_nothing_is_said_about_requests_younger_than_the_threshold():
    in_flight, lines = InFlight(), []
    with WaitingNotice(in_flight, lines.append, after_s=10, every_s=0.05), in_flight.request():
        time.sleep(0.2)
    assert lines == []
