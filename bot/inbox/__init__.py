"""The staff inbox (/hoso): what staff typed as a filter (`filters`), what changed between two
versions of a submission (`diff`), and the inbox's text (`render`).

No aiogram here: handlers/inbox.py is the Telegram edge around it, and the review decision
itself is bot/review.py, shared with the cards pushed to staff.
"""
