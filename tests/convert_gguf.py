"""Convert SmolLM2's GGUF into a Hugging Face model directory vLLM can load (run once by `make setup-vllm`).

Usage: .vllm/bin/python tests/convert_gguf.py GGUF_FILE OUT_DIR
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def convert(gguf: Path, out: Path) -> None:
    """Dequantise the GGUF to bfloat16 weights and save model and tokenizer with save_pretrained."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, dtype=torch.bfloat16)
    # The GGUF loader records a quantisation config that vLLM would try to honour; the weights are plain now.
    for attr in ("quantization_config", "_pre_quantization_dtype"):
        if hasattr(model.config, attr):
            delattr(model.config, attr)
    model.hf_quantizer = None
    model.is_quantized = False
    model.quantization_method = None
    model.save_pretrained(str(out))
    AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name).save_pretrained(str(out))


if __name__ == "__main__":
    convert(Path(sys.argv[1]), Path(sys.argv[2]))
