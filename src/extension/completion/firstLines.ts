// A block's first lines while the model writes the rest: the ghost text can show them at once and
// grow to the whole block when it is done (provider.ts, grow). The model process reports each line
// it completes (GenerateOptions.onLinesDone); the first report that post-processing leaves
// something of is the one shown.
import {postprocessCompletion} from "./postprocess";
import type {PostprocessContext} from "./postprocess/types";

/** A block's first lines as the model wrote them, and as post-processing shows them. */
export interface FirstLinesShown {
  raw: string;
  shown: string;
}

export class FirstLines {
  private resolve!: (first: FirstLinesShown) => void;
  /** Resolves with the first lines worth showing (a leading line break alone is not), once. */
  readonly shown = new Promise<FirstLinesShown>(resolve => this.resolve = resolve);
  private done = false;

  constructor(private readonly context: PostprocessContext, private readonly maxLines: number) {}

  /** Feed it each report: the text so far up to its last line break. */
  readonly onLinesDone = (raw: string): void => {
    if (this.done) return;
    const shown = postprocessCompletion(raw, this.context, {maxLines: this.maxLines});
    if (!shown) return;
    this.done = true;
    this.resolve({raw, shown});
  };
}
