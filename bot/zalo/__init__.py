"""The Zalo front end: the Zalo Bot Platform's HTTP API (client), a stand-in of it for the tests
and the demo (fake), and the bridge that runs the aiogram handlers for Zalo users (session,
updates, polling)."""
