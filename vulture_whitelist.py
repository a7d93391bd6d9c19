"""Names vulture (`make lint`) takes for dead code but that are used by a framework.

Handlers (`@router.message`...), pydantic validators and SQLAlchemy listeners are
skipped by their decorators (pyproject.toml, [tool.vulture]); what is left is here.
Each entry says who uses it. Keep this short: dead code is removed, not listed.
"""

# ruff: noqa: B018
_ = object()

# html.parser.HTMLParser calls these overrides (bot/demo/transcript.py).
_.handle_starttag
_.handle_endtag
_.handle_data
# Set on openpyxl cells; openpyxl reads it when saving (bot/events/export.py).
_.alignment
# aiogram's CallbackAnswerMiddleware reads it when it answers a press
# (bot/middlewares/callback_answers.py).
_.show_alert
# aiogram's I18nMiddleware calls it (bot/middlewares/i18n.py).
_.get_locale
# Read by pydantic (bot/settings.py) and SQLAlchemy (storage/models.py).
_.model_config
_.type_annotation_map
_.impl
_.cache_ok
_.process_bind_param
_.process_result_value
# Columns written for the record, not read by the bot (dropping one needs a migration).
_.set_at
_.cancelled_by
_.closed_at
_.cancelled_at
_.deactivated_by
# A pytest fixture requested for its effect, after the bot's own fixtures (tests/e2e/test_status.py).
_.no_broadcast_engine

# Columns of imported_forms written for people (who imported / published it, when), read in SQL.
_.imported_at
_.published_by
# aiogram's BaseSession declares it abstract, with these parameters (bot/zalo/session.py).
_.stream_content
_.chunk_size
_.raise_for_status
# Written for the record (storage/models.py): when a Zalo update came.
_.received_at
# Written for the record (storage/models.py): the Zalo name an account came with.
_.display_name
