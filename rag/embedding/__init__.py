"""Embedders: the protocol and loader, the ONNX query encoder, e5, token counting."""
