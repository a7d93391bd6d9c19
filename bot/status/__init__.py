"""Status answers (issue 7): the figures (`figures`), their text (`render`) and chart
(`chart`), the Excel export (`export`, `command_line`), and reminders to units that
have not reported (`reminders`, through the broadcast engine via `notices`).

No aiogram here: handlers/status/ is the Telegram edge around it.
"""
