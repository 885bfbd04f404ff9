"""The machine's limit: torch matmul throughput, fp32 and (where the CPU has it) bf16, at the
thread count the other benchmarks run with. The denominator of every FLOP/s fraction.

    python bench/peak.py
"""
from __future__ import annotations

import time
from pathlib import Path

import torch


def has_bf16() -> bool:
    """bf16 matmul hardware (AMX or AVX-512 BF16), from /proc/cpuinfo's flags."""
    flags = Path("/proc/cpuinfo").read_text().split() if Path("/proc/cpuinfo").is_file() else []
    return "amx_bf16" in flags or "avx512_bf16" in flags


def matmul_flops(dtype: torch.dtype, n: int = 2048, seconds: float = 2.0) -> float:
    """FLOP/s of n x n matmuls repeated for about `seconds` (best of the repetitions' rate)."""
    a, b = torch.randn(n, n, dtype=dtype), torch.randn(n, n, dtype=dtype)
    a @ b  # warm-up: first call allocates and picks kernels
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        a @ b
        done += 1
    return 2 * n ** 3 * done / (time.perf_counter() - start)


def peaks() -> dict[str, float]:
    out = {"float32": matmul_flops(torch.float32)}
    if has_bf16():
        out["bfloat16"] = matmul_flops(torch.bfloat16)
    return out


if __name__ == "__main__":
    for dtype, flops in peaks().items():
        print(f"{dtype}: {flops / 1e9:.0f} GFLOP/s ({torch.get_num_threads()} threads)")
