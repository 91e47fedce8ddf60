"""Support's administration of users (docs/design.md §14): invitations by email with a single-use
set-password link, the users list and export, deactivation and CSV imports.

``rules`` holds the pure rules (what a new user needs, the password rules, the users CSV);
``store`` the database side (one transaction per action, the invitation email through the outbox).
"""
