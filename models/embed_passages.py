"""Embed every Webis passage with a sentence-transformers model, for `forewarn eval webis
--embeddings NAME=FILE` (research only: what a bigger frozen encoder would buy).

Runs in the build virtualenv (`make models` makes `.venv-models`, with torch and
sentence-transformers); loads the model from a local folder with the hub switched off:

    .venv-models/bin/python models/embed_passages.py ../shared/data/webis-passages \
        build/encoders/all-mpnet-base-v2 build/encoders/mpnet.npz

Writes `sha256` (of each passage's UTF-8 text, as forewarn.evaluation.passage_lr looks them up)
and `vectors` (L2-normalised rows), and prints the encoding throughput.
"""

from __future__ import annotations

import os

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import argparse
import hashlib
import json
import time
from pathlib import Path

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("passages", type=Path, help="passages.jsonl or the folder holding it")
    parser.add_argument("model", type=Path, help="a sentence-transformers model folder")
    parser.add_argument("out", type=Path, help="the .npz to write")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()

    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(args.threads)
    file = args.passages / "passages.jsonl" if args.passages.is_dir() else args.passages
    texts = list(
        dict.fromkeys(json.loads(line)["text"] for line in file.read_text().splitlines() if line)
    )
    model = SentenceTransformer(str(args.model), device="cpu")
    started = time.perf_counter()
    vectors = model.encode(texts, batch_size=16, normalize_embeddings=True)
    seconds = time.perf_counter() - started
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out,
        sha256=np.array([hashlib.sha256(t.encode("utf-8")).hexdigest() for t in texts]),
        vectors=np.asarray(vectors, dtype=np.float32),
    )
    print(
        f"{args.out}: {len(texts)} passages, dim {vectors.shape[1]}, {seconds:.1f} s "
        f"({len(texts) / seconds:.1f} passages/s on {args.threads} threads), "
        f"max_seq_length {model.max_seq_length}"
    )


if __name__ == "__main__":
    main()
