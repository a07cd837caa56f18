"""The rule modules, one per category; importing them registers every rule."""

from . import dialogue, navigation, service, structure, time

__all__ = ["dialogue", "navigation", "service", "structure", "time"]
