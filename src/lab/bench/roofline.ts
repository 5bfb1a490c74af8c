// Cost profiles for hardware this machine is not: GPU pass costs from a roofline, and a sweep of
// draft costs for the paper-style figure. `npm run profiles` writes them into
// src/lab/bench/profiles/ with their formulas and constants beside the numbers, and a test checks
// that the files are what this module computes.
//
// A pass over n tokens reads every weight once and does 2·P FLOPs per token:
//   C(n) = overhead + bytes / (bandwidth · bandwidthEfficiency) + n · 2·P / (peakFlops · flopsEfficiency)
// The memory and compute terms are added, not overlapped: an upper bound on what wide passes cost,
// so a profile never flatters speculation.
import type {CostProfile} from "../../engine/drafting/passClock";

/** Largest pass a profile covers: 16 drafts and the token before them. */
export const PROFILE_PASS_TOKENS = 17;

export interface Device {
  name: string;
  /** Memory bandwidth, bytes/s. */
  bandwidth: number;
  /** Dense peak of the matrix units at the precision the kernels use, FLOP/s. */
  peakFlops: number;
  source: string;
}

export interface Model {
  name: string;
  parameters: number;
  /** Bits per weight of the quantization, as llama.cpp stores it. */
  bitsPerWeight: number;
  source: string;
}

/** The assumptions shared by every GPU profile, each with where it comes from. */
export const ROOFLINE_ASSUMPTIONS = {
  /**
   * Share of the bandwidth a decode pass reaches. llama.cpp PR 10455 measured a 32B Q4_K_M target
   * alone at 29 tok/s on an RTX 3090: 19.9 GB per token in 34.5 ms less the overhead is 0.62 of
   * 936 GB/s.
   */
  bandwidthEfficiency: 0.62,
  /** Share of the peak quantized matrix kernels reach on small batches (an assumption: a quarter). */
  flopsEfficiency: 0.25,
  /** Launches and synchronisation per pass, ms (an assumption for a graph-captured decode on a discrete GPU). */
  overheadMs: 0.3
} as const;

export const DEVICES = {
  h100: {name: "NVIDIA H100 SXM", bandwidth: 3.35e12, peakFlops: 989e12, source: "NVIDIA H100 datasheet: HBM3 3.35 TB/s, BF16 dense 989 TFLOPS"},
  rtx3090: {name: "NVIDIA RTX 3090", bandwidth: 936e9, peakFlops: 71e12, source: "NVIDIA Ampere GA102 whitepaper: 936 GB/s, FP16 tensor dense 71 TFLOPS"},
  m2: {name: "Apple M2-class GPU", bandwidth: 100e9, peakFlops: 3.6e12, source: "Apple M2: 100 GB/s unified memory, 10-core GPU 3.6 TFLOPS FP32"}
} satisfies Record<string, Device>;

export const MODELS = {
  qwen7bQ8: {name: "Qwen2.5-Coder-7B Q8_0", parameters: 7.62e9, bitsPerWeight: 8.5, source: "Qwen2.5-Coder model card: 7.61B parameters; Q8_0 stores 8.5 bits a weight"},
  qwen32bQ4KM: {name: "Qwen2.5-Coder-32B Q4_K_M", parameters: 32.8e9, bitsPerWeight: 4.85, source: "Qwen2.5-Coder model card: 32.5B parameters; Q4_K_M averages about 4.85 bits a weight"},
  qwen1_5bQ8: {name: "Qwen2.5-Coder-1.5B Q8_0", parameters: 1.54e9, bitsPerWeight: 8.5, source: "Qwen2.5-Coder model card: 1.54B parameters"},
  qwen0_5bQ8: {name: "Qwen2.5-Coder-0.5B Q8_0", parameters: 0.49e9, bitsPerWeight: 8.5, source: "Qwen2.5-Coder model card: 0.49B parameters"}
} satisfies Record<string, Model>;

/** A profile as written to disk: the costs the clock reads, and where they come from. */
export interface ProfileFile extends CostProfile {
  describes: string;
  derivation: Record<string, unknown>;
}

/** C(n) of one model on one device, ms, by the roofline above. */
export function passMs(model: Model, device: Device, tokens: number): number {
  const {bandwidthEfficiency, flopsEfficiency, overheadMs} = ROOFLINE_ASSUMPTIONS;
  const bytes = model.parameters * model.bitsPerWeight / 8;
  const memoryMs = 1000 * bytes / (device.bandwidth * bandwidthEfficiency);
  const computeMs = 1000 * tokens * 2 * model.parameters / (device.peakFlops * flopsEfficiency);
  return overheadMs + memoryMs + computeMs;
}

/**
 * A GPU pair's profile. `bookkeepingMs`: the CPU's work per draft pass at the pair's vocabulary
 * (the top-40 map, entropy, the decision), measured on this machine (docs/benchmarks.md).
 */
export function gpuProfile(name: string, target: Model, draft: Model, device: Device, bookkeeping: {ms: number; source: string}): ProfileFile {
  const curve = Array.from({length: PROFILE_PASS_TOKENS}, (_, i) => passMs(target, device, i + 1));
  const targetTokenMs = curve[0]!;
  return {
    name,
    describes: `${target.name} verified with ${draft.name} drafting on an ${device.name}`,
    targetTokenMs: round(targetTokenMs),
    target: curve.map(ms => round(ms / targetTokenMs)),
    draft: round(passMs(draft, device, 1) / targetTokenMs),
    bookkeepingMs: bookkeeping.ms,
    lookupMs: 0,
    derivation: {
      formula: "C(n) = overheadMs + bytes / (bandwidth · bandwidthEfficiency) + n · 2 · parameters / (peakFlops · flopsEfficiency); bytes = parameters · bitsPerWeight / 8",
      assumptions: ROOFLINE_ASSUMPTIONS, device, target, draft,
      bookkeeping: bookkeeping.source
    }
  };
}

/** Shapes of C_t(n)/C_t(1) for the sweep: nearly flat (a big GPU), and flat then a step where compute takes over. */
export const SWEEP_CURVES = {
  flat: (n: number) => 1 + 0.01 * (n - 1),
  stepped: (n: number) => (n <= 8 ? 1 + 0.02 * (n - 1) : 1.64 + 0.08 * (n - 9))
} as const;

export const SWEEP_DRAFT_RATIOS = [0.01, 0.03, 0.1, 0.2, 0.3] as const;

/** One cell of the sweep: no bookkeeping, so that the draft's cost alone moves. */
export function sweepProfile(curve: keyof typeof SWEEP_CURVES, draft: number): ProfileFile {
  return {
    name: `sweep-${curve}-cd${draft}`,
    describes: `a ${curve} C_t(n) curve with C_d/C_t(1) = ${draft}, for the speed-up against draft cost figure`,
    targetTokenMs: 10,
    target: Array.from({length: PROFILE_PASS_TOKENS}, (_, i) => round(SWEEP_CURVES[curve](i + 1))),
    draft,
    bookkeepingMs: 0,
    lookupMs: 0,
    derivation: {
      formula: curve === "flat" ? "C_t(n)/C_t(1) = 1 + 0.01·(n − 1)" : "C_t(n)/C_t(1) = 1 + 0.02·(n − 1) for n ≤ 8, then 1.64 + 0.08·(n − 9)",
      note: "C_t(1) = 10 ms is nominal: speed-ups are ratios, and with no bookkeeping they do not depend on it"
    }
  };
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
