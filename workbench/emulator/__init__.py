"""The community emulator: the platform's SSO rules, a SQLite store, pages and an inspection API."""
