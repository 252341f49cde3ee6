"""A second writer for the graph-index test: joins a store as a guest and applies the write
operations it reads from stdin (one JSON object a line), answering ``ok`` for each."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from graph_builder import apply_op

from lineage.store import open_store


def main() -> None:
    store = open_store(sys.argv[1])
    try:
        for line in sys.stdin:
            apply_op(store, json.loads(line))
            print("ok", flush=True)
    finally:
        store.close()


if __name__ == "__main__":
    main()
