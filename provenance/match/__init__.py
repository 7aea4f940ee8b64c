"""Fingerprints, alignment and scores: how a copy is found and measured."""
