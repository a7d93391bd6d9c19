"""Training courses and conferences (issue 6): what staff announce and officers sign up for.

`bot.domain.events` holds the rules; this package renders events as text, builds the
participants workbook, queues announcements and reminders through the broadcast
engine (`notices`), runs the reminder worker, and offers the engine an audience of
the people signed up for an event.
"""
