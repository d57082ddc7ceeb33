"""Placeholder: rules are added by their family owner."""
