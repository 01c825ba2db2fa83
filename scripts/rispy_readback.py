#!/usr/bin/env python3
"""Reads a `csmed screen --format ris` output with rispy (ASReview's RIS library) and prints one
JSON object per record with the fields a reviewer's tools use, so a test can compare them with
what csmed wrote.
  python3 scripts/rispy_readback.py ranked.ris
"""
import json
import sys

import rispy

with open(sys.argv[1], encoding="utf-8") as handle:
    entries = rispy.load(handle)
for entry in entries:
    print(json.dumps({
        "id": entry.get("id"),
        "title": entry.get("title") or entry.get("primary_title"),
        "abstract": entry.get("abstract"),
        "authors": entry.get("authors", []),
        "year": entry.get("year"),
        "doi": entry.get("doi"),
        "keywords": entry.get("keywords", []),
        "rank": entry.get("custom1"),
        "score": entry.get("custom2"),
        "notes": entry.get("notes", []),
    }, ensure_ascii=False))
