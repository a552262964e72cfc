"""Watcher: finds complaints on social-media and review platforms and turns them into tickets."""

__version__ = "0.1.0"
