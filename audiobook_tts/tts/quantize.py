"""Optional int8 weights for the FlowLM: torch's dynamic quantisation of its linear layers (fbgemm on x86).

Weights are stored as int8 with a scale per output channel; activations are quantised on the fly per call.
This halves the bytes read per step (what bounds small batches) and uses int8 matrix kernels. The audio
changes (it is a different model numerically): on random weights the difference is measured by
benchmarks/throughput.py; on the real weights its effect on quality has not been measured here.
"""

from __future__ import annotations

import warnings

import torch
from torch import nn


def quantize_flow_lm(model) -> None:
    """Replace every nn.Linear of `model.flow_lm` (backbone, heads, flow MLP) by an int8 one, in place.

    Mimi stays float32: its time goes to convolutions, which dynamic quantisation does not cover."""
    engines = torch.backends.quantized.supported_engines
    if "fbgemm" in engines:
        torch.backends.quantized.engine = "fbgemm"
    elif "qnnpack" in engines:
        torch.backends.quantized.engine = "qnnpack"
    qconfig = torch.ao.quantization.per_channel_dynamic_qconfig
    with warnings.catch_warnings():  # torch 2.13 announces torch.ao's removal in favour of torchao
        warnings.simplefilter("ignore")
        torch.ao.quantization.quantize_dynamic(model.flow_lm, {nn.Linear: qconfig}, inplace=True)
