"""sitegen: a static site generator for reporting the implementation of a plan."""

__version__ = "0.1.0"
