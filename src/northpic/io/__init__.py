"""Readers: the only part of northpic (besides ``export``) that opens paths."""
