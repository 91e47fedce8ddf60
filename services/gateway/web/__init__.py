"""The support UI (DESIGN §10): server-rendered GOV.UK Design System pages."""
