"""Print a candidate batch for reading: one passage per paragraph, with its id (and, for Webis
passages, the warning it was annotated for and the three votes).

    python training/corpus/tools/show.py training/corpus/candidates/batch-001.jsonl [FROM [TO]]
"""

import json
import sys

rows = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
lo = int(sys.argv[2]) if len(sys.argv) > 2 else 0
hi = int(sys.argv[3]) if len(sys.argv) > 3 else len(rows)
for k, row in enumerate(rows[lo:hi], lo):
    extra = ""
    if "webis" in row:
        extra = f"  [webis gold: {row['webis']['warning']} votes={row['webis']['votes']}]"
    print(f"#{k} {row['id']}{extra}\n{row['text']}\n")
