#!/usr/bin/env python3
"""Replaces the text between two marker lines of a file with standard input.

Usage: splice-generated.py FILE START_MARKER END_MARKER < generated
Used by the scripts that keep generated tables in the README files.
"""
import sys

path, start, end = sys.argv[1:4]
generated = sys.stdin.read().rstrip("\n")
if not generated.strip():
    sys.exit(f"splice-generated.py: nothing generated; {path} left as it was")
text = open(path).read()
a = text.index(start) + len(start)
b = text.index(end)
open(path, "w").write(text[:a] + "\n" + generated + "\n" + text[b:])
