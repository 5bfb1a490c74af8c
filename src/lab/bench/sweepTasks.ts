// What the sweep and the signal bound run on: task sets by name (code no tuning here saw) and
// profile lists by name.
import {join} from "node:path";
import {BenchTask, interleave, tasksFromSources} from "../../benchmark/tasks";
import {profileNames} from "./costProfiles";
import {editTasksFromSources} from "./editTasks";
import {heldOutRoots} from "./heldOut";
import {humanEvalTasks} from "./humanEval";

/** The task sets by name: code no tuning here saw. */
export async function taskSets(names: readonly string[], root: string, count: number, editCount: number): Promise<Map<string, BenchTask[]>> {
  const sets = new Map<string, BenchTask[]>();
  for (const name of names) {
    if (name === "heldout") {
      const roots = heldOutRoots(join(root, "node_modules"));
      sets.set(name, interleave(tasksFromSources(roots, {count, seed: 1}), editTasksFromSources(roots, {count: editCount, seed: 1})));
    } else if (name === "humaneval") {
      sets.set(name, await humanEvalTasks({count, seed: 1, cacheDir: join(root, ".cache", "draftstop"), log: line => console.error(line)}));
    } else {
      throw new Error(`--tasks: ${JSON.stringify(name)} is neither heldout nor humaneval`);
    }
  }
  return sets;
}

export function profileList(spec: string, root: string): string[] {
  const names = profileNames(root);
  const sweep = names.filter(n => n.startsWith("sweep-"));
  if (spec === "all") return names;
  if (spec === "sweep") return sweep;
  if (spec === "gpu") return names.filter(n => !n.startsWith("sweep-"));
  return spec.split(",").map(n => n.trim()).filter(Boolean);
}

/**
 * Tasks a column learns on before it is measured (runBenchmark's warmUp): FIM positions in the
 * held-out code cut with another seed than the measured ones, none of them measured.
 */
export function warmUpTasks(root: string, count: number, measured: readonly BenchTask[]): BenchTask[] {
  const ids = new Set(measured.map(t => t.id));
  return tasksFromSources(heldOutRoots(join(root, "node_modules")), {count: count + measured.length, seed: 2}).filter(t => !ids.has(t.id)).slice(0, count);
}
