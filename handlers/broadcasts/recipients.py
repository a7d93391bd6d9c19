"""/thongbao, the recipients: a kind of audience, then units (found as at registration,
several toggled on) or the kind's second question (which month...)."""

from __future__ import annotations

from aiogram import F, Router, html
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.broadcast.audience import AUDIENCES, Audience, Context, resolve
from bot.broadcast.report import number
from bot.clock import Clock
from bot.domain.text import shorten
from bot.domain.units import Match, UnitDirectory
from bot.roles import STAFF_LEVELS, HasAccess
from bot.settings import Settings
from handlers.broadcasts.dialog import Bc, Compose, context, nav
from handlers.broadcasts.review import show_review
from handlers.filters import NOT_A_COMMAND
from handlers.forms.dialog import Forms
from handlers.keyboards import button, inline
from handlers.unit_search import search_note
from storage.repositories import recipients

router = Router(name=__name__)
router.message.filter(HasAccess(*STAFF_LEVELS))
router.callback_query.filter(HasAccess(*STAFF_LEVELS))


async def ask_audience(
    message: Message, state: FSMContext, session: AsyncSession, ctx: Context
) -> None:
    """The kinds of audience, with how many people each would reach where that is known."""
    await state.set_state(Compose.audience)
    rows = []
    for kind in AUDIENCES.values():
        if not kind.available(ctx):
            continue
        label = _(kind.label)
        if not kind.picks_units and kind.choices is None:
            count = len(await kind.resolve(session, Audience(kind.key), ctx))
            label = f"{label} · {number(count)}"
        rows.append([button(label, Bc(action="kind", value=kind.key))])
    await message.answer(
        _("Who should receive it?"), reply_markup=inline(*rows, nav(back="content"))
    )


async def _review(
    query: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    units: UnitDirectory,
    settings: Settings,
    ctx: Context,
) -> None:
    assert isinstance(query.message, Message) and query.bot is not None
    await query.message.edit_reply_markup(reply_markup=None)
    await show_review(query.bot, query.message.chat.id, state, session, units, settings, ctx)


def _units_prompt(chosen: list[str], units: UnitDirectory) -> str:
    names = [html.quote(unit.name) for code in chosen if (unit := units.get(code))]
    return "\n".join(
        [
            _(
                "Type part of a unit's name, for example Cầu Giấy, and press the units to "
                "choose them. Search as many times as you need."
            ),
            _("Chosen ({n}): {names}").format(
                n=len(names), names=", ".join(names) if names else "—"
            ),
        ]
    )


def _done_row(chosen: list[str]) -> list[InlineKeyboardButton]:
    return [button(_("✔️ Done ({n} units)").format(n=len(chosen)), Bc(action="units_done"))]


@router.callback_query(Compose.audience, Bc.filter(F.action == "kind"))
async def got_kind(
    query: CallbackQuery,
    callback_data: Bc,
    state: FSMContext,
    session: AsyncSession,
    units: UnitDirectory,
    settings: Settings,
    clock: Clock,
    forms: Forms,
) -> None:
    """A kind of audience: straight to the review, or its second question first."""
    kind = AUDIENCES.get(callback_data.value)
    if kind is None or not isinstance(query.message, Message):
        await query.answer(_("This button is no longer active."))
        return
    await query.answer()
    ctx = context(clock, forms)
    if kind.picks_units:
        data = await state.get_data()
        chosen = list(data.get("chosen") or [])
        await state.set_state(Compose.units)
        await query.message.edit_reply_markup(reply_markup=None)
        await query.message.answer(
            _units_prompt(chosen, units),
            reply_markup=inline(_done_row(chosen), nav(back="audience")),
        )
        return
    if kind.choices is not None:
        choices = await kind.choices(session, ctx, _)
        rows = []
        for choice in choices:
            count = len(await resolve(session, Audience(kind.key, ref=choice.ref), ctx))
            label = f"{choice.label} · {number(count)}"
            rows.append([button(label, Bc(action="choice", value=choice.ref))])
        await state.set_state(Compose.choice)
        await state.update_data(kind=kind.key, choices={c.ref: c.label for c in choices})
        await query.message.edit_reply_markup(reply_markup=None)
        await query.message.answer(
            _("{kind}: which one?").format(kind=html.quote(_(kind.label))),
            reply_markup=inline(*rows, nav(back="audience")),
        )
        return
    await state.update_data(audience=Audience(kind.key).as_json(), choice_label=None)
    await _review(query, state, session, units, settings, ctx)


@router.callback_query(Compose.choice, Bc.filter(F.action == "choice"))
async def got_choice(
    query: CallbackQuery,
    callback_data: Bc,
    state: FSMContext,
    session: AsyncSession,
    units: UnitDirectory,
    settings: Settings,
    clock: Clock,
    forms: Forms,
) -> None:
    data = await state.get_data()
    labels = data.get("choices") or {}
    if callback_data.value not in labels or not isinstance(query.message, Message):
        await query.answer(_("This button is no longer active."))
        return
    await query.answer()
    audience = Audience(str(data.get("kind")), ref=callback_data.value)
    await state.update_data(audience=audience.as_json(), choice_label=labels[callback_data.value])
    await _review(query, state, session, units, settings, context(clock, forms))


def _unit_rows(
    codes: list[str], chosen: list[str], counts: dict[str, int], units: UnitDirectory
) -> list[list[InlineKeyboardButton]]:
    rows = []
    for code in codes:
        unit = units.get(code)
        if unit is None:
            continue
        mark = "✅" if code in chosen else "▫️"
        label = f"{mark} {unit.name} · {number(counts.get(code, 0))}"
        rows.append([button(label, Bc(action="unit", value=code))])
    return rows


@router.message(Compose.units, F.text, NOT_A_COMMAND)
async def search_units(
    message: Message, state: FSMContext, session: AsyncSession, units: UnitDirectory
) -> None:
    """Part of a unit's name: the matches, to toggle."""
    query = (message.text or "").strip()
    result = units.search(query)
    if result.match is Match.NONE:
        await message.answer(
            _("No commune or ward matches “{query}”. Type part of the name again.").format(
                query=html.quote(shorten(query, 50))
            )
        )
        return
    if result.match is Match.TOO_MANY:
        await message.answer(
            _("{count} units match “{query}”. Please type a few more letters of the name.").format(
                count=result.total, query=html.quote(shorten(query, 50))
            )
        )
        return
    codes = [unit.code for unit in result.units]
    chosen = list((await state.get_data()).get("chosen") or [])
    counts = await recipients.officer_counts(session, codes)
    note = search_note(result, query)
    await message.answer(
        (note + "\n" if note else "")
        + _("Press the units to choose them (the number is how many officers each has):"),
        reply_markup=inline(
            *_unit_rows(codes, chosen, counts, units), _done_row(chosen), nav(back="audience")
        ),
    )


@router.callback_query(Compose.units, Bc.filter(F.action == "unit"))
async def toggle_unit(
    query: CallbackQuery,
    callback_data: Bc,
    state: FSMContext,
    session: AsyncSession,
    units: UnitDirectory,
) -> None:
    """Choose a unit, or leave it out again; the buttons show which are chosen."""
    if units.get(callback_data.value) is None or not isinstance(query.message, Message):
        await query.answer(_("This unit is not in the list. Please type its name again."))
        return
    chosen = list((await state.get_data()).get("chosen") or [])
    if callback_data.value in chosen:
        chosen.remove(callback_data.value)
    else:
        chosen.append(callback_data.value)
    await state.update_data(chosen=chosen)
    await query.answer()
    codes = _codes_on(query.message.reply_markup)
    counts = await recipients.officer_counts(session, codes)
    await query.message.edit_reply_markup(
        reply_markup=inline(
            *_unit_rows(codes, chosen, counts, units), _done_row(chosen), nav(back="audience")
        )
    )


def _codes_on(markup: InlineKeyboardMarkup | None) -> list[str]:
    """The unit codes of the toggle buttons on a message."""
    codes = []
    for row in markup.inline_keyboard if markup else []:
        for pressed in row:
            if pressed.callback_data and pressed.callback_data.startswith(f"{Bc.__prefix__}:unit:"):
                codes.append(Bc.unpack(pressed.callback_data).value)
    return codes


@router.callback_query(Compose.units, Bc.filter(F.action == "units_done"))
async def units_done(
    query: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    units: UnitDirectory,
    settings: Settings,
    clock: Clock,
    forms: Forms,
) -> None:
    chosen = list((await state.get_data()).get("chosen") or [])
    if not chosen or not isinstance(query.message, Message):
        await query.answer(_("Choose at least one unit first."), show_alert=True)
        return
    await query.answer()
    audience = Audience("units", unit_codes=tuple(chosen))
    await state.update_data(audience=audience.as_json(), choice_label=None)
    await _review(query, state, session, units, settings, context(clock, forms))


@router.callback_query(Bc.filter((F.action == "back") & (F.value == "audience")))
@router.callback_query(Compose.audience, Bc.filter(F.action == "audience"))
async def back_to_audience(
    query: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    forms: Forms,
) -> None:
    if await state.get_state() not in {s.state for s in Compose.__all_states__}:
        await query.answer(_("This button is no longer active."))
        return
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        await ask_audience(query.message, state, session, context(clock, forms))


@router.message(Compose.units, NOT_A_COMMAND)
@router.message(Compose.audience, NOT_A_COMMAND)
@router.message(Compose.choice, NOT_A_COMMAND)
async def wrong_kind(message: Message, state: FSMContext) -> None:
    if await state.get_state() == Compose.units.state:
        await message.answer(_("Please type part of a unit's name, for example: Cầu Giấy."))
    else:
        await message.answer(_("Please press one of the buttons above."))
