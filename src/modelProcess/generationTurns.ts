// Fairness in the shared model process. The windows' generations share half the machine's cores
// (the share one window's engine takes by default; the rest is the editor's): each takes as many
// as its engine's threads, and they start in the order they came. A window's real request goes
// before every waiting background generation (a prefetch, a prefill) of any window, and ends the
// running ones that hold the cores it waits for: one window's work ahead must never delay another's
// keystroke. With a newer generation from a window cancelling that window's older ones (host.ts,
// serve), a window typing fast holds at most one place in the line, so another window waits for at
// most one round of its generation, never for the whole storm.
import {defaultThreads} from "../engine";

export interface TurnOptions {
  /** The engine's threads: the cores the generation keeps busy. Default 1. */
  threads?: number;
  /** Work ahead of any request: it waits while a window's real request waits. */
  background?: boolean;
  /**
   * Ends a running background generation early (its window's request is aborted, and the engine
   * answers within a round): called when a real request waits for the cores it holds.
   */
  preempt?: () => void;
}

interface Turn {
  cores: number;
  background: boolean;
  preempt?: () => void;
  start(): void;
}

export class GenerationTurns {
  private busy = 0;
  private readonly line: Turn[] = [];
  /** Background generations running now, until they end or are preempted. */
  private readonly runningBackground = new Set<Turn>();
  private count = 0;

  /**
   * `cores`: how many the generations may keep busy at once. Default: half the machine's. On two
   * cores, three windows' keystroke storms at once (each completion a new prompt) took p50 3.3 s,
   * p95 3.6 s with two generations side by side, against 2.3 s and 3.9 s one at a time: the
   * browsers and extension hosts need the other core (docs/reliability.md).
   */
  constructor(private readonly cores = defaultThreads()) {}

  /** Generations waiting for their turn or running now. */
  get queued(): number {
    return this.count;
  }

  /**
   * Runs `work` once its turn comes. A generation cancelled while it waits still takes its turn:
   * the engine answers an aborted request within a round, with what it has.
   */
  run<T>(work: () => Promise<T>, options: TurnOptions = {}): Promise<T> {
    // A generation wider than the machine runs alone rather than waiting forever.
    const cores = Math.min(this.cores, Math.max(1, Math.floor(options.threads ?? 1)));
    this.count++;
    let turn!: Turn;
    return new Promise<void>(start => {
      turn = {cores, background: options.background === true, preempt: options.preempt, start};
      this.line.push(turn);
      this.next();
    }).then(work).finally(() => {
      this.count--;
      this.busy -= cores;
      this.runningBackground.delete(turn);
      this.next();
    });
  }

  /** Starts waiting generations while cores are free: the first real request first, else the first background one. */
  private next(): void {
    for (;;) {
      const at = Math.max(0, this.line.findIndex(waiting => !waiting.background));
      const head = this.line[at];
      if (!head) return;
      // The head waits for its cores; nothing behind it overtakes it. A real request waiting ends
      // the background work that holds them: it answers within a round and gives them back.
      if (this.busy > 0 && this.busy + head.cores > this.cores) {
        if (!head.background) for (const running of this.runningBackground) {
          this.runningBackground.delete(running);
          running.preempt?.();
        }
        return;
      }
      this.line.splice(at, 1);
      this.busy += head.cores;
      if (head.background) this.runningBackground.add(head);
      head.start();
    }
  }
}
