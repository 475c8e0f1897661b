"""Capable-to-promise: earliest completion of a new demand without breaking confirmed promises."""
