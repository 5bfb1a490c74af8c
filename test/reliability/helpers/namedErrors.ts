// What counts as a refusal "with a named reason": a ModelFileError whose `problem` is one of the
// engine's problems (or, for a draft, the vocabulary check's own typed error). Anything else a
// bad file causes (a TypeError from a reader, a plain Error) is an unnamed error, and a finding.
import {ModelFileError, ModelFileProblem, VocabularyMismatchError} from "../../../src/engine/errors";

/** Every ModelFileProblem; the `satisfies` makes the compiler say when the type gains one. */
const PROBLEMS = {
  missing: true, directory: true, empty: true, notGguf: true, truncated: true, malformed: true, unreadable: true, loadFailed: true
} satisfies Record<ModelFileProblem, true>;

export function isNamedModelFileProblem(problem: unknown): boolean {
  return typeof problem === "string" && Object.hasOwn(PROBLEMS, problem);
}

/** The reason a header check refused a file (its problem, or "vocabularyMismatch"), or undefined when it is unnamed. */
export function namedRefusal(error: unknown, path: string): string | undefined {
  if (error instanceof ModelFileError && isNamedModelFileProblem(error.problem) && error.path === path && error.message.includes(path))
    return error.problem;
  if (error instanceof VocabularyMismatchError && error.draftPath === path) return "vocabularyMismatch";
  return undefined;
}
