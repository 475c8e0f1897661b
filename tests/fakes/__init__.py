"""Hand-written in-memory stand-ins for the ports: a unit of work, a clock, a chat channel, a language model."""
