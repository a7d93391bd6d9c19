"""An officer's registration (/dangky): its questions as a `bot.dialogs` definition."""
