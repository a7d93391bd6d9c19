"""The flood guard, with a controllable clock."""

from __future__ import annotations

from bot.middlewares.throttle import Throttle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_rate_then_recovery() -> None:
    clock = Clock()
    throttle = Throttle(rate=2, burst=3, clock=clock)
    assert [throttle._allow(7)[0] for _ in range(3)] == [True, True, True]
    # The fourth message at the same instant is held back, and warned about once only.
    assert throttle._allow(7) == (False, True)
    assert throttle._allow(7) == (False, False)
    # Another user is not affected.
    assert throttle._allow(8) == (True, False)
    clock.now += 0.5  # one token back at 2 per second
    assert throttle._allow(7) == (True, False)
    assert throttle._allow(7)[0] is False
    clock.now += 10
    assert [throttle._allow(7)[0] for _ in range(3)] == [True, True, True]
