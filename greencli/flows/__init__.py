"""Workflows the commands share: waiting, linking, applying settings, listening, sending."""
