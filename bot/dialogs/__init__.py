"""Guided dialogs as data, run by one messenger-neutral engine.

`model` says what a dialog is (steps with kinds, prompts, rules), `engine` runs
one (state in, input in → screen out), `plain` renders screens as numbered text
and reads typed words. Front ends: `handlers.dialogs` (Telegram); the plain
renderer serves the terminal demo and Zalo. No aiogram and no SQL here.
"""
