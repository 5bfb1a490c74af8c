// A pair's draft traces (draftTrace.ts) over named task sets, as the sweep loads the pair and
// cuts the tasks: what the signal bound and the policy replay charge rules on. Recording costs
// minutes for the strong pair (a token at a time past every rejection); a file keeps them, so that
// rules are tried on the same traces in seconds.
import {existsSync, readFileSync, writeFileSync} from "node:fs";
import {DraftstopEngine} from "../../engine";
import {GENERATE_DEFAULTS} from "../../engine/options";
import type {BenchTask} from "../../benchmark/tasks";
import {namedPair} from "./pairs";
import {draftTrace, TraceSignal} from "../bench/draftTrace";
import {referenceContinuation} from "../bench/oracle";
import type {DraftTrace} from "../bench/signalBound";

/** The most tokens a round of the sweep's policies and optimum drafts. */
export const TRACE_MAX_DRAFT = 16;

export interface PairTraces {
  pair: string;
  maxTokens: number;
  signal: TraceSignal;
  /** Traces by task set, in the sets' task order. */
  sets: Record<string, DraftTrace[]>;
  /** The tasks' ids by set, in the same order: traces are read back only for the same tasks. */
  taskIds: Record<string, string[]>;
}

/**
 * Records the traces of `sets` for the pair named `pair`, or reads them from `file` where it holds
 * this pair's traces at this length and signal for the same tasks (and writes them there when it
 * does not).
 */
export async function pairTraces(pair: string, sets: ReadonlyMap<string, readonly BenchTask[]>, maxTokens: number,
  {signal = "entropy", file, log = () => {}}: {signal?: TraceSignal; file?: string; log?: (line: string) => void} = {}): Promise<PairTraces> {
  const kept = file && existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as PairTraces[]) : [];
  const sameTasks = (ids: readonly string[] | undefined, tasks: readonly BenchTask[]) => ids?.length === tasks.length && tasks.every((task, i) => task.id === ids[i]);
  const fits = (t: PairTraces) => t.pair === pair && t.maxTokens === maxTokens && t.signal === signal &&
    [...sets].every(([name, tasks]) => sameTasks(t.taskIds?.[name], tasks) && t.sets[name]?.length === tasks.length);
  const found = kept.find(fits);
  if (found) {
    log(`${pair}: traces read from ${file}`);
    const names = [...sets.keys()];
    return {...found, sets: Object.fromEntries(names.map(name => [name, found.sets[name]!])), taskIds: Object.fromEntries(names.map(name => [name, found.taskIds[name]!]))};
  }
  const made = await namedPair({name: pair, padded: false});
  // As the sweep loads it (flash attention: a pass's greedy tokens do not depend on its width).
  const engine = await DraftstopEngine.load({targetPath: made.target, draftPath: made.draft, threads: 1, gpu: false, contextSize: 2048, flashAttention: true});
  const traces: PairTraces = {pair: made.name, maxTokens, signal, sets: {}, taskIds: {}};
  try {
    for (const [name, tasks] of sets) {
      const list: DraftTrace[] = [];
      for (const [taskIndex, task] of tasks.entries()) {
        const prompt = engine.infillPrompt(task, maxTokens).tokens;
        const continuation = await referenceContinuation(engine, prompt, {maxTokens, stopOnEog: false, temperature: 0, topK: 40, topP: 0.95, seed: 1 + 104729 * taskIndex});
        list.push(await draftTrace(engine.loadedPair.draft!.sequence, prompt, continuation, GENERATE_DEFAULTS.entropyTopK, TRACE_MAX_DRAFT, signal));
      }
      const judged = list.flatMap(t => t.matches);
      log(`${made.name}, ${name}: ${judged.length} positions, the draft's greedy token matches at ${(100 * judged.filter(Boolean).length / judged.length).toFixed(0)} %`);
      traces.sets[name] = list;
      traces.taskIds[name] = tasks.map(task => task.id);
    }
  } finally {
    await engine.dispose();
  }
  if (file) writeFileSync(file, JSON.stringify([...kept.filter(t => !(t.pair === pair && t.maxTokens === maxTokens && t.signal === signal)), traces]) + "\n");
  return traces;
}
