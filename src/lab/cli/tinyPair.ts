// The tiny trained pair that ships in the repository (media/models/tinypair, made by src/lab/modelmaker/tinypair), and its padded
// target: the same distributions at about 15× a draft token's cost, like a 0.5B draft and a 7B
// target (generated on first use into .cache/, never committed).
import {existsSync} from "node:fs";
import {join} from "node:path";
import {ensurePaddedTarget} from "../modelmaker/paddedTarget";
import {ensureWideTarget} from "../modelmaker/wideTarget";
import {DEMO_PAIR_FOLDER, demoPairPaths} from "../../extension/models/demoPair";
import {repoRoot} from "./repoRoot";

export interface ModelPair {
  target: string;
  draft: string;
  /** Whether the target is the padded one. */
  padded: boolean;
  /** "tiny trained target, padded (+N blocks, measured R× a draft token)" and the like. */
  description: string;
  /** Short name for tables: the --pair name it came from. */
  name: string;
}

export function tinyPairPaths(): {target: string; draft: string} {
  const paths = demoPairPaths(repoRoot());
  for (const path of Object.values(paths))
    if (!existsSync(path)) throw new Error(`${path} is missing: the tiny pair ships with the repository in ${DEMO_PAIR_FOLDER.join("/")} (see src/lab/modelmaker/tinypair/README.md)`);
  return paths;
}

export async function tinyPair(options: {padded: boolean}): Promise<ModelPair> {
  const {target, draft} = tinyPairPaths();
  if (!options.padded) return {target, draft, padded: false, name: "tiny", description: "tiny trained pair (unpadded target)"};
  const padded = await ensurePaddedTarget({targetPath: target, draftPath: draft, cacheDir: join(repoRoot(), ".cache", "draftstop")});
  return {
    target: padded.path, draft, padded: true, name: "padded",
    description: `tiny trained pair, padded target (+${padded.extraBlocks} zero-output blocks, one target token ≈ ${padded.measuredRatio.toFixed(1)}× a draft token)`
  };
}

/**
 * The rig where speculation can pay on a small CPU: the tiny trained target with every block's
 * feed-forward widened (to 28 672 by default; zero ffn_down columns, so the extra width adds nothing) in Q8_0.
 * Its passes over a few tokens cost little more than one (src/lab/modelmaker/wideTarget.ts). Q8_0
 * rounds the trained weights, so its distribution is close to the trained target's, not equal.
 */
export async function wideRigPair(): Promise<ModelPair> {
  const {target, draft} = tinyPairPaths();
  const wide = await ensureWideTarget({targetPath: target, cacheDir: join(repoRoot(), ".cache", "draftstop")});
  return {target: wide.path, draft, padded: false, name: "wide",
    description: `tiny trained pair, wide target (FFN ${wide.trainedFfn} → ${wide.ffn} in ${wide.weightType}, zero-output columns)`};
}
