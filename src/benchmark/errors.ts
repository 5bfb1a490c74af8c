// The benchmark's typed errors: each names what is wrong with the set-up and what to do about it.
import {DraftstopError} from "../engine/errors";

/** A benchmark that cannot run as asked: a missing model, missing task sources, a bad task file. */
export class BenchSetupError extends DraftstopError {
  override readonly name = "BenchSetupError";
  constructor(message: string) {
    super(message, "bench.setup");
  }
}
