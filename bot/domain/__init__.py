"""Rules of the domain: plain Python that imports neither aiogram nor the database."""
