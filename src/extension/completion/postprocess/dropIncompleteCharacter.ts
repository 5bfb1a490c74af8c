// A token limit can stop generation in the middle of a multi-byte UTF-8 character; its bytes then
// decode to U+FFFD. Only a run at the very end is such a cut: elsewhere U+FFFD may be in the file.
import {PostprocessRule} from "./types";

export const dropIncompleteCharacter: PostprocessRule = completion => completion.replace(/\uFFFD+$/, "");
