// npm run profiles: writes the cost profiles roofline.ts computes into src/lab/bench/profiles/, one
// JSON file each, with the formula and constants beside the numbers. test/unit/costProfiles.test.ts
// fails when a file differs from what this writes.
import {mkdirSync, writeFileSync} from "node:fs";
import path from "node:path";
import {PROFILES_FOLDER} from "../bench/costProfiles";
import {DEVICES, gpuProfile, MODELS, ProfileFile, SWEEP_CURVES, SWEEP_DRAFT_RATIOS, sweepProfile} from "../bench/roofline";
import {repoRoot} from "./repoRoot";

/**
 * The CPU's work per draft pass at Qwen2.5's 151 936-token vocabulary: the top-40 probability map
 * node-llama-cpp computes after the pass, the entropy and the decision. Measured on this machine
 * (docs/benchmarks.md, "Bookkeeping at Qwen's vocabulary").
 */
export const QWEN_VOCAB_BOOKKEEPING = {
  ms: 0.043,
  source: "npm run bookkeeping (src/lab/cli/bookkeeping.ts), 2026-12-06: median over 200 positions of the top-40 map's cost beyond a bare pass " +
    "plus entropy, argmax and the cost-aware decision, on a random-weight draft with V 151 936, 1 CPU thread of a 2-core AMD EPYC"
};

export function builtInProfiles(): ProfileFile[] {
  return [
    gpuProfile("h100-7b-q8", MODELS.qwen7bQ8, MODELS.qwen0_5bQ8, DEVICES.h100, QWEN_VOCAB_BOOKKEEPING),
    gpuProfile("rtx3090-32b-q4km", MODELS.qwen32bQ4KM, MODELS.qwen0_5bQ8, DEVICES.rtx3090, QWEN_VOCAB_BOOKKEEPING),
    gpuProfile("m2-1.5b-q8", MODELS.qwen1_5bQ8, MODELS.qwen0_5bQ8, DEVICES.m2, QWEN_VOCAB_BOOKKEEPING),
    ...(Object.keys(SWEEP_CURVES) as Array<keyof typeof SWEEP_CURVES>).flatMap(curve => SWEEP_DRAFT_RATIOS.map(draft => sweepProfile(curve, draft)))
  ];
}

export function profileText(profile: ProfileFile): string {
  return JSON.stringify(profile, null, 2) + "\n";
}

if (require.main === module) {
  const folder = path.join(repoRoot(), PROFILES_FOLDER);
  mkdirSync(folder, {recursive: true});
  for (const profile of builtInProfiles()) writeFileSync(path.join(folder, `${profile.name}.json`), profileText(profile));
  console.log(`wrote ${builtInProfiles().length} profiles into ${folder}`);
}
