"""The rules of who has reported and who is reminded, the chart images and the progress bar."""

from __future__ import annotations

import io
from datetime import date

from PIL import Image

from bot.domain.status import (
    Deadline,
    coverage,
    format_percent,
    percent,
    units_to_remind,
    weekly_cumulative,
)
from bot.status.chart import bar_chart, column_chart
from bot.status.command_line import ProgressBar
from bot.status.render import split_message


def test_coverage_lists_the_months_missing() -> None:
    result = coverage(
        ["a", "b", "c"],
        ["2026-10", "2026-11"],
        [("a", "2026-10"), ("a", "2026-11"), ("b", "2026-11"), ("x", "2026-11")],
    )
    assert [(c.unit_code, c.missing, c.complete) for c in result] == [
        ("a", (), True),
        ("b", ("2026-10",), False),
        ("c", ("2026-10", "2026-11"), False),
    ]


def test_percentages_read_the_vietnamese_way() -> None:
    assert format_percent(percent(2, 126)) == "1,6%"
    assert format_percent(percent(2, 126), "en") == "1.6%"
    assert format_percent(percent(63, 126)) == "50%"
    assert percent(1, 0) == 0.0


def test_units_reported_by_week_add_up() -> None:
    first_sent = [date(2026, 11, 2), date(2026, 11, 20), date(2026, 12, 3)]
    series = weekly_cumulative(first_sent, date(2026, 11, 1), date(2026, 11, 27))
    assert series == [
        (date(2026, 11, 1), 1),
        (date(2026, 11, 8), 1),
        (date(2026, 11, 15), 2),
        # The last week counts what came later too, so the last bar is the total.
        (date(2026, 11, 22), 3),
    ]
    assert weekly_cumulative([], date(2026, 11, 1), date(2026, 11, 1)) == [(date(2026, 11, 1), 0)]
    assert len(weekly_cumulative([], date(2026, 1, 1), date(2026, 12, 31))) == 10


def test_reminders_go_in_the_window_to_units_not_reported_nor_reminded() -> None:
    deadline = Deadline("2026-11", due_on=date(2026, 11, 30), remind_days_before=3)
    units = ["a", "b", "c", "d"]
    officers = {"a": [1], "b": [2], "c": [3]}
    assert units_to_remind(deadline, date(2026, 11, 26), units, [], [], officers) == []
    assert units_to_remind(deadline, date(2026, 11, 27), units, ["a"], ["b"], officers) == ["c"]
    # A bot that was down on the reminder day catches up until the deadline, not after.
    assert units_to_remind(deadline, date(2026, 11, 30), units, [], [], officers) == ["a", "b", "c"]
    assert units_to_remind(deadline, date(2026, 12, 1), units, [], [], officers) == []
    assert units_to_remind(deadline, date(2026, 11, 28), units, [], []) == units


def test_long_lists_are_split_between_lines() -> None:
    lines = [f"• line {n:03d} " + "x" * 80 for n in range(120)]
    parts = split_message("head", lines, limit=1000)
    assert all(len(p) <= 1000 for p in parts) and parts[0].startswith("head\n")
    assert "\n".join(parts) == "\n".join(["head", *lines])


def test_charts_are_png_images_of_a_phone_friendly_size() -> None:
    for png in (
        column_chart("Đơn vị đã báo cáo theo tuần", [("01/11", 3), ("08/11", 20)], target=126),
        bar_chart("Báo cáo theo lĩnh vực", [("Ứng dụng, chuyển giao tiến bộ KH&CN " * 3, 12)]),
        bar_chart("Không có gì", []),
    ):
        image = Image.open(io.BytesIO(png))
        assert image.format == "PNG" and 600 <= image.width <= 1200


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_draws_on_a_terminal_only() -> None:
    terminal = _Terminal()
    bar = ProgressBar(terminal, "Q4 2026", min_interval=0)
    bar(500, 2000)
    bar(2000, 2000)
    bar.close()
    assert "[#######-----------------------]  25%" in terminal.getvalue()
    assert "100%  2,000/2,000 rows\n" in terminal.getvalue()
    piped = io.StringIO()
    quiet = ProgressBar(piped, "Q4 2026")
    quiet(1, 2)
    quiet.close()
    assert piped.getvalue() == ""
