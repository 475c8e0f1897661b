"""planbridge: capable-to-promise, scheduling and material planning for make-to-order plants, in chat."""

__version__ = "0.1.0"
