"""Outer middlewares around every update, in the order `bot.app` registers them."""
