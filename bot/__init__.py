"""khcn-bot: the Telegram bot of a Department of Science and Technology and its local officers."""
