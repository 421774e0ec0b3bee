"""Deliberately simple scalar implementations, kept as test oracles and benchmark baselines.

Nothing in effekt computes with these; they exist to be obviously correct, so that the
vectorised engine can be checked against them (``tests/unit``) and timed against them
(``bench/``).
"""
