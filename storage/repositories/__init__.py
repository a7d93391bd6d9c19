"""Repositories: queries in the domain's words. They never commit; the update's session does."""
