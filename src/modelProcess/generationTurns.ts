// Fairness in the shared model process: the windows' generations run one at a time, in the order
// they came. With a newer generation from a window cancelling that window's older ones (host.ts,
// serve), a window typing fast holds at most one place in the line, so another window waits for at
// most one round of its generation, never for the whole storm.

export class GenerationTurns {
  private last: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  /** Generations waiting for their turn or running now. */
  get queued(): number {
    return this.waiting;
  }

  /**
   * Runs `work` once every generation that came before it has ended. A generation cancelled while it
   * waits still takes its turn: the engine answers an aborted request within a round, with what it has.
   */
  run<T>(work: () => Promise<T>): Promise<T> {
    this.waiting++;
    const turn = this.last.then(work, work);
    this.last = turn.catch(() => undefined);
    return turn.finally(() => this.waiting--);
  }
}
