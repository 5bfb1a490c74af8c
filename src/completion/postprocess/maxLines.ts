// Long ghost texts are rarely accepted whole and hide the code below them: keep the first lines.
import {splitLines} from "./lines";
import {PostprocessRule} from "./types";

export function maxLines(limit: number): PostprocessRule {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`maxLines must be an integer >= 1, got ${limit}`);
  return (completion, context) => {
    const lines = splitLines(completion);
    return lines.length <= limit ? completion : lines.slice(0, limit).join(context.eol);
  };
}
