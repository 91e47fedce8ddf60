"""Code shared by every ClaimFlow service: message contracts and the platform floor."""
