// Typed errors: each names what went wrong and what to do about it, so a UI can show the message
// as it is and a caller can branch on the class or on `code`.

export class DraftstopError extends Error {
  override readonly name: string = "DraftstopError";
  constructor(message: string, readonly code: string, options?: {cause?: unknown}) {
    super(message, options);
  }
}

export type ModelFileProblem =
  | "missing" | "directory" | "empty" | "notGguf" | "truncated" | "malformed" | "unreadable" | "loadFailed";

/** A model file that cannot be used; `role` says which of the pair it was. */
export class ModelFileError extends DraftstopError {
  override readonly name = "ModelFileError";
  constructor(readonly path: string, readonly problem: ModelFileProblem, detail: string, readonly role?: ModelRole,
    options?: {cause?: unknown}) {
    super(`${role ? `${role} model ` : "model "}${path}: ${detail}`, `model.${problem}`, options);
  }
}

export type ModelRole = "target" | "draft";

/** Target and draft cannot be paired: their vocabularies differ. */
export class VocabularyMismatchError extends DraftstopError {
  override readonly name = "VocabularyMismatchError";
  constructor(readonly targetPath: string, readonly draftPath: string, readonly mismatch: string) {
    super(`draft model ${draftPath} cannot draft for target model ${targetPath}: ${mismatch}. ` +
      "Pick a draft model of the same family (same tokenizer) as the target.", "model.vocabularyMismatch");
  }
}

/** An option value out of its domain; `option` is its name as the caller spelled it. */
export class InvalidOptionError extends DraftstopError {
  override readonly name = "InvalidOptionError";
  constructor(readonly option: string, readonly value: unknown, expected: string) {
    super(`${option}: ${formatValue(value)} is not valid; expected ${expected}`, "option.invalid");
  }
}

/** The prompt does not fit into the context with room left to generate. */
export class ContextOverflowError extends DraftstopError {
  override readonly name = "ContextOverflowError";
  constructor(readonly promptTokens: number, readonly contextSize: number) {
    super(`prompt of ${promptTokens} tokens does not fit a context of ${contextSize} tokens; ` +
      "shorten the prompt or raise the context size", "generation.contextOverflow");
  }
}

/** The engine was used after dispose(). */
export class EngineDisposedError extends DraftstopError {
  override readonly name = "EngineDisposedError";
  constructor() {
    super("the engine was disposed; load the models again", "engine.disposed");
  }
}

function formatValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" && Number.isNaN(value)) return "NaN";
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
