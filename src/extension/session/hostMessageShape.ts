// What the shared model process may send a window, checked before the client reads a field of it.
// The window trusts the process no further than its shape: a malformed reply closes the connection
// (socketConnect.ts), and the session then starts or finds a process again.

const LOG_LEVELS = ["info", "warn", "error"];
const ERROR_STRING_FIELDS = ["code", "path", "problem", "role", "option"];

/** The problem with a message that should be a HostMessage, or undefined. */
export function hostMessageProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return `expected an object, got ${describe(value)}`;
  if (value.kind === "response") {
    if (!isId(value.id)) return "a response's id must be a non-negative integer";
    if (value.ok === true) return undefined;
    if (value.ok !== false) return "a response's ok must be true or false";
    const error = value.error;
    if (!isRecord(error) || typeof error.name !== "string" || typeof error.message !== "string")
      return "a failed response must carry an error with a name and a message";
    const bad = ERROR_STRING_FIELDS.find(field => error[field] !== undefined && typeof error[field] !== "string");
    return bad ? `the error's ${bad} must be a string` : undefined;
  }
  if (value.kind !== "event") return `unknown kind ${JSON.stringify(value.kind)?.slice(0, 80)}`;
  switch (value.event) {
    case "ready":
      return undefined;
    case "progress":
      if (!isId(value.requestId)) return "a progress event's requestId must be a non-negative integer";
      if (typeof value.done !== "number" || typeof value.total !== "number") return "a progress event needs numbers done and total";
      return value.message === undefined || typeof value.message === "string" ? undefined : "a progress message must be a string";
    case "log":
      if (!LOG_LEVELS.includes(value.level as string)) return `a log event's level must be one of ${LOG_LEVELS.join(", ")}`;
      return typeof value.message === "string" ? undefined : "a log event's message must be a string";
    default:
      return `unknown event ${JSON.stringify(value.event)?.slice(0, 80)}`;
  }
}

/** The problem with the first message from the process, which answers the hello, or undefined. */
export function handshakeReplyProblem(value: unknown): string | undefined {
  if (!isRecord(value) || value.kind !== "event") return "expected a welcome or a refusal";
  if (value.event === "welcome") return undefined;
  if (value.event === "refused" && typeof value.reason === "string") return undefined;
  return "expected a welcome or a refusal";
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isId(value: unknown): boolean {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function describe(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
}
