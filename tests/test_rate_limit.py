"""AdaptiveLimit: a 429 halves the in-flight limit once per round; sustained success raises it back."""

from generator.rate_limit import AdaptiveLimit


def test_429s_halve_the_limit_once_per_round_and_successes_raise_it_back():
    limit = AdaptiveLimit(8)
    rounds = [limit.take() for _ in range(4)]
    for sent_in in rounds:
        limit.release(sent_in, 429)
    assert limit.limit == 4 and limit.cuts == 1

    limit.release(limit.take(), 429)
    assert limit.limit == 2 and limit.lowest == 2

    for _ in range(2 + 3 + 4 + 5 + 6 + 7):
        limit.release(limit.take(), 200)
    assert limit.limit == 8


def test_answers_other_than_429_or_success_leave_the_limit_alone():
    limit = AdaptiveLimit(4)
    limit.release(limit.take(), 500)
    limit.release(limit.take(), None)
    assert limit.limit == 4 and limit.cuts == 0


def test_a_refused_key_stops_the_limit_and_a_full_limit_has_no_room():
    limit = AdaptiveLimit(1)
    sent_in = limit.take()
    assert not limit.has_room
    limit.release(sent_in, 401)
    assert limit.stopped and not limit.has_room
