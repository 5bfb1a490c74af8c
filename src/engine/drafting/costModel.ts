// What a round costs on the machine at hand: the target's time for one pass over n tokens, C_t(n),
// and the draft's time for one drafted token, C_d (docs/algorithm.md, "Cost-aware drafting").
//
// C_t(n) is kept as a level times a shape: C_t(n) = level · ρ(n) with ρ(1) = 1.
// - The level (C_t(1)) follows the machine: every observed pass gives a sample ms / ρ(n), and the
//   level is the median of the latest LEVEL_WINDOW of them. A sustained slowdown (another process
//   on the CPU, a longer context) moves it within LEVEL_WINDOW / 2 + 1 rounds, whichever n the
//   rounds used, so n that no round has used lately follow too.
// - The shape ρ(n) changes slowly (it depends on the backend and the context length), so each n
//   keeps a longer window of ms / level. A change the level has not absorbed yet shows in fewer
//   than half of that window and leaves ρ alone; ρ(1) is pinned to 1, which makes level and shape
//   separable.
// The draft's C_d is the median of its latest single-token passes.
import {RollingMedian} from "./rollingMedian";

export interface CostModelOptions {
  /** Largest pass the model covers: maxDraft + 1. Default 17. */
  maxPassTokens?: number;
  /** Samples behind the level and behind C_d. Default 11. */
  levelWindow?: number;
  /** Samples behind each ρ(n). Default 31. */
  shapeWindow?: number;
  /** Weight of the load-time measurement: it fills this many samples of every window. Default 3. */
  calibrationWeight?: number;
}

export const COST_MODEL_DEFAULTS: Required<CostModelOptions> = {maxPassTokens: 17, levelWindow: 11, shapeWindow: 31, calibrationWeight: 3};

/** Measured pass costs: targetMs[n - 1] for the n measured (others undefined), and C_d. */
export interface PassCostTable {
  targetMs: Array<number | undefined>;
  draftMs?: number;
  /** Context length the passes were timed at. */
  contextLength: number;
}

export interface CostRatios {
  /** C_t(n) / C_t(1) for n = 1 .. maxPassTokens. */
  target: number[];
  /** C_d / C_t(1); NaN without a draft. */
  draft: number;
  /** C_t(1) in ms. */
  targetTokenMs: number;
  draftTokenMs: number;
}

/** The read side, which is all a policy needs. */
export interface PassCosts {
  /** C_t(n) in ms; n beyond the covered range extrapolates the last step. */
  targetMs(n: number): number;
  /** C_d in ms (NaN without a draft). */
  draftMs(): number;
}

export class CostModel implements PassCosts {
  readonly options: Required<CostModelOptions>;
  private readonly level: RollingMedian;
  private readonly shape: RollingMedian[];
  private readonly draft: RollingMedian;
  /** ρ(n) for the covered n and C_t(1), recomputed only after an observation: policies read them at every drafted token. */
  private cached: {rho: number[]; level: number; draft: number} | undefined;

  constructor(calibration: PassCostTable, options: CostModelOptions = {}) {
    this.options = {...COST_MODEL_DEFAULTS, ...options};
    const {maxPassTokens, levelWindow, shapeWindow, calibrationWeight} = this.options;
    const curve = completeCurve(calibration.targetMs, maxPassTokens);
    this.level = new RollingMedian(levelWindow);
    this.shape = curve.map(() => new RollingMedian(shapeWindow));
    this.draft = new RollingMedian(levelWindow);
    for (let i = 0; i < calibrationWeight; i++) {
      this.level.push(curve[0]!);
      curve.forEach((ms, n) => this.shape[n]!.push(ms / curve[0]!));
      if (calibration.draftMs !== undefined) this.draft.push(calibration.draftMs);
    }
  }

  /** One target pass over n tokens took ms. */
  observeTargetPass(n: number, ms: number): void {
    if (!(n >= 1) || !Number.isFinite(ms) || ms <= 0) return;
    const index = Math.min(n, this.shape.length) - 1;
    this.level.push(ms / this.rho(index + 1));
    this.cached = undefined;
    if (index > 0) this.shape[index]!.push(ms / this.level.median());
  }

  /** One draft pass over a single token (its probability map included) took ms. */
  observeDraftPass(ms: number): void {
    if (Number.isFinite(ms) && ms > 0) this.draft.push(ms);
    this.cached = undefined;
  }

  targetMs(n: number): number {
    return this.current().level * this.rho(n);
  }

  draftMs(): number {
    return this.current().draft;
  }

  ratios(): CostRatios {
    const target = this.shape.map((_, i) => this.rho(i + 1));
    const targetTokenMs = this.targetMs(1);
    return {target, draft: this.draftMs() / targetTokenMs, targetTokenMs, draftTokenMs: this.draftMs()};
  }

  /**
   * ρ(n), made non-decreasing in n (a bigger pass never costs less; noise must not make it look
   * so) and extrapolated linearly past the covered range.
   */
  private rho(n: number): number {
    const {rho} = this.current();
    const covered = rho.length;
    if (n <= covered) return rho[Math.max(1, n) - 1]!;
    const step = covered >= 2 ? rho[covered - 1]! - rho[covered - 2]! : 0;
    return rho[covered - 1]! + step * (n - covered);
  }

  private current(): {rho: number[]; level: number; draft: number} {
    if (!this.cached) {
      const rho: number[] = [];
      for (const window of this.shape) rho.push(rho.length === 0 ? 1 : Math.max(rho.at(-1)!, window.median()));
      this.cached = {rho, level: this.level.median(), draft: this.draft.median()};
    }
    return this.cached;
  }
}

/** Fills the n not measured by linear interpolation, and past the last measured n by its last step. */
export function completeCurve(measured: ReadonlyArray<number | undefined>, length: number): number[] {
  const known = measured.map((ms, i) => [i + 1, ms] as const).filter((e): e is readonly [number, number] => e[1] !== undefined && Number.isFinite(e[1]) && e[1] > 0);
  if (known.length === 0 || known[0]![0] !== 1) throw new RangeError("a pass-cost table needs at least C_t(1)");
  const out: number[] = [];
  for (let n = 1; n <= length; n++) {
    const after = known.findIndex(([m]) => m >= n);
    if (after >= 0 && known[after]![0] === n) out.push(known[after]![1]);
    else if (after > 0) {
      const [n0, c0] = known[after - 1]!, [n1, c1] = known[after]!;
      out.push(c0 + (c1 - c0) * (n - n0) / (n1 - n0));
    } else {
      const [nl, cl] = known.at(-1)!;
      const [np, cp] = known.length >= 2 ? known.at(-2)! : [nl - 1, cl];
      out.push(cl + Math.max(0, (cl - cp) / (nl - np)) * (n - nl));
    }
  }
  return out;
}
