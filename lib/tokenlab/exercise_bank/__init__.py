"""The checkers of every chapter's coding exercises, one module per chapter.

Importing this package registers them all with :mod:`tokenlab.exercises`, which imports it
the first time a reader calls :func:`tokenlab.exercises.check`. A chapter module imports
``tokenlab.exercises`` (never the other way round at import time), so there is no cycle.

Examples
--------
>>> from tokenlab.exercises import exercises
>>> "ch01-bigrams" in exercises()
True
"""

from tokenlab.exercise_bank import (
    ch01,
    ch02,
    ch03,
    ch04,
    ch05,
    ch06,
    ch07,
    ch08,
    ch09,
    ch10,
    ch11,
    ch12,
)

__all__ = ["ch01", "ch02", "ch03", "ch04", "ch05", "ch06", "ch07", "ch08", "ch09", "ch10", "ch11",
           "ch12"]
