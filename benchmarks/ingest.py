"""Ingest benchmark: our pipeline vs the plain LangChain pipeline, on the same corpus and model.

    .venv/bin/python -m benchmarks.ingest --corpus CORPUS [--out benchmarks/results/ingest.json]

Each pipeline runs in its own process so its peak RSS is its own. Ours is run twice (the
second run, on the unchanged corpus, should be a no-op), then the embedding of the same
chunk texts alone is timed, to see how much of the total the rest of the pipeline adds.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import ROOT, out_arg


def peak_rss_mib() -> float:
    """Peak RSS of this process and of its finished children (the parse worker), in MiB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def run_ours(corpus: Path, index: Path) -> dict:
    from ingest.pipeline import ingest
    from rag.embedding.embedder import load_embedder
    from rag.index.reader import IndexReader
    from rag.settings import Settings

    t0 = time.perf_counter()
    embedder = load_embedder()
    load = time.perf_counter() - t0
    settings = Settings(index=index)
    first = ingest([corpus], embedder, settings)
    second = ingest([corpus], embedder, settings)
    reader = IndexReader.open(index)
    rows = reader.db.execute("SELECT header, text FROM chunks").fetchall()
    texts = [f"{r['header']}\n{r['text']}" for r in rows]
    t1 = time.perf_counter()
    embedder.embed_documents(texts)
    embed_alone = time.perf_counter() - t1
    pages = sum(f.pages or 0 for f in first.files)
    return {
        "files": len(first.files),
        "statuses": {s: first.count(s) for s in ("ingested", "unchanged", "skipped", "failed")},
        "pages": pages,
        "chunks": len(texts),
        "model_load_seconds": round(load, 2),
        "seconds": round(first.seconds, 2),
        "stages_seconds": {k: round(v, 2) for k, v in first.stages.items()},
        "pages_per_second": round(pages / first.seconds, 2),
        "embedding_alone_seconds": round(embed_alone, 2),
        "total_over_embedding_alone": round(first.seconds / embed_alone, 3),
        "reingest_seconds": round(second.seconds, 2),
        "reingest_fraction": round(second.seconds / first.seconds, 4),
        "reingest_statuses": {s: second.count(s) for s in ("ingested", "unchanged", "failed")},
        "peak_rss_mib": round(peak_rss_mib(), 1),
    }


def run_langchain(corpus: Path, out_dir: Path) -> dict:
    """PyPDFLoader + RecursiveCharacterTextSplitter(1000, 200) + the same model + FAISS.from_documents."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    from langchain_community.document_loaders import PyPDFLoader
    from langchain_community.vectorstores import FAISS
    from langchain_core.embeddings import Embeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter
    from sentence_transformers import SentenceTransformer

    from rag.embedding.embedder import default_model_path

    class STEmbeddings(Embeddings):
        """What langchain-huggingface's HuggingFaceEmbeddings does, without its hub pins."""

        def __init__(self):
            self.model = SentenceTransformer(str(default_model_path()), device="cpu")

        def embed_documents(self, texts):
            return self.model.encode(texts, normalize_embeddings=True).tolist()

        def embed_query(self, text):
            return self.embed_documents([text])[0]

    t0 = time.perf_counter()
    embeddings = STEmbeddings()
    docs = []
    for pdf in sorted(corpus.rglob("*.pdf")):  # the plain pipeline reads PDFs only
        docs.extend(PyPDFLoader(str(pdf)).load())
    parsed = time.perf_counter()
    chunks = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(docs)
    split = time.perf_counter()
    store = FAISS.from_documents(chunks, embeddings)
    store.save_local(str(out_dir))
    done = time.perf_counter()
    return {
        "pages": len(docs),
        "chunks": len(chunks),
        "seconds": round(done - t0, 2),
        "stages_seconds": {"parse": round(parsed - t0, 2), "split": round(split - parsed, 2),
                           "embed_and_index": round(done - split, 2)},
        "peak_rss_mib": round(peak_rss_mib(), 1),
    }


def child(kind: str, corpus: Path) -> dict:
    """One pipeline in a fresh process (this module again, from the repository root): its peak RSS is its own."""
    cmd = [sys.executable, "-m", "benchmarks.ingest", "--child", kind, "--corpus", str(corpus.resolve())]
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run([*cmd, "--tmp", tmp], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True, help="folder of guideline files to ingest")
    out_arg(parser, "ingest.json")
    parser.add_argument("--child", choices=["ours", "langchain"])
    parser.add_argument("--tmp", type=Path)
    parser.add_argument("--skip-langchain", action="store_true")
    args = parser.parse_args()
    if args.child == "ours":
        print(json.dumps(run_ours(args.corpus, args.tmp / "index")))
        return
    if args.child == "langchain":
        print(json.dumps(run_langchain(args.corpus, args.tmp / "lc")))
        return
    ours = child("ours", args.corpus)
    result = {"machine": {"cores": os.cpu_count(), "python": platform.python_version()}, "corpus": str(args.corpus), "ours": ours}
    if not args.skip_langchain:
        lc = child("langchain", args.corpus)
        result["langchain"] = lc
        result["speedup_vs_langchain"] = round(lc["seconds"] / ours["seconds"], 2)
    result["goals"] = {
        "total_over_embedding_alone<=1.2": ours["total_over_embedding_alone"] <= 1.2,
        "peak_rss<2GiB": ours["peak_rss_mib"] < 2048,
        "reingest<5%": ours["reingest_fraction"] < 0.05,
        "speedup>=2x": result.get("speedup_vs_langchain", 0) >= 2,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
