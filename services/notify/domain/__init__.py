"""Pure rules of the notify service: templates and how they are filled, retry policy, statuses."""
