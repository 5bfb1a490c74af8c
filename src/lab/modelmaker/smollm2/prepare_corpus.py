#!/usr/bin/env python3
"""Step 1 of the SmolLM2 draft: the tiny pair's pinned node_modules corpus (same packages, same
filters, same held-out packages: js-yaml, diff, commander, chokidar, semver), written to this
folder's work/corpus/ instead of tinypair/work/. See ../tinypair/prepare_corpus.py."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tinypair"))
import prepare_corpus as tiny  # noqa: E402

if __name__ == "__main__":
    tiny.WORK = os.path.join(HERE, "work")
    tiny.main()
