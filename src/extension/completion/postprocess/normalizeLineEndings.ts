// Models write "\n" whatever the file uses; ghost text must match the document's line breaks, and
// later rules compare completion lines with the suffix's lines.
import {PostprocessRule} from "./types";

export const normalizeLineEndings: PostprocessRule = (completion, context) => completion.replace(/\r\n|\r|\n/g, context.eol);
