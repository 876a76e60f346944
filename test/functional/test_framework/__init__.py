"""bitrootd functional test framework (Python 3 standard library only)."""
