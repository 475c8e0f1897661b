"""Finite-capacity scheduling: problem building, EDD dispatching, CP-SAT, large-neighbourhood search."""
