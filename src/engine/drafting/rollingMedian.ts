// A fixed-size window of the latest samples and its median. The cost model and the speculation
// gain are built on it because the machines it runs on are shared: one GC pause or one slow pass
// is a single sample far out, which moves a median by at most one rank (nothing at all when the
// others agree), while a sustained change fills half the window and moves the median with it.
import {median} from "../stats/median";

export class RollingMedian {
  private readonly samples: number[] = [];
  private next = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`a rolling median needs a window of at least 1 sample, not ${capacity}`);
  }

  push(value: number): void {
    if (!Number.isFinite(value)) return;
    if (this.samples.length < this.capacity) this.samples.push(value);
    else this.samples[this.next] = value;
    this.next = (this.next + 1) % this.capacity;
  }

  get size(): number {
    return this.samples.length;
  }

  /** NaN while empty. */
  median(): number {
    return this.samples.length === 0 ? NaN : median(this.samples);
  }

  /** NaN while empty. The skewed figures that must count every slow sample (the speed-up's baseline) read it. */
  mean(): number {
    return this.samples.length === 0 ? NaN : this.samples.reduce((sum, value) => sum + value, 0) / this.samples.length;
  }

  /** The samples, oldest first (for persistence and display). */
  values(): number[] {
    return this.samples.length < this.capacity ? [...this.samples] : [...this.samples.slice(this.next), ...this.samples.slice(0, this.next)];
  }
}
