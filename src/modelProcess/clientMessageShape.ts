// What a window may send the shared model process, checked before anything reads a field of it: a
// message of another shape closes that connection only (socketServer.ts). Only the envelope is
// checked here; a request's params are the request's own business, as they are over IPC.
import {isRequestName} from "../protocol";

/** Longest window name and version in a hello: they are logged, never used as paths. */
const MAX_NAME_CHARS = 256;

/** The problem with a message that should be a ClientMessage, or undefined. */
export function clientMessageProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return `expected an object, got ${describe(value)}`;
  if (value.kind === "request") {
    if (!isId(value.id)) return "a request's id must be a non-negative integer";
    if (!isRequestName(value.name)) return `no request is named ${JSON.stringify(value.name)?.slice(0, 80)}`;
    return undefined;
  }
  if (value.kind === "cancel") return isId(value.id) ? undefined : "a cancel's id must be a non-negative integer";
  return `unknown kind ${JSON.stringify(value.kind)?.slice(0, 80)}`;
}

/**
 * The problem with a first message that should be a HelloMessage, or undefined. A missing token
 * passes here, so that the server can refuse it as "missing token" rather than as malformed.
 */
export function helloProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return `expected an object, got ${describe(value)}`;
  if (value.kind !== "hello") return `expected kind "hello", got ${JSON.stringify(value.kind)?.slice(0, 80)}`;
  if (value.token !== undefined && typeof value.token !== "string") return "the token must be a string";
  if (!isName(value.window)) return `the window must be a string of 1 to ${MAX_NAME_CHARS} characters`;
  if (!isName(value.version)) return `the version must be a string of 1 to ${MAX_NAME_CHARS} characters`;
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isId(value: unknown): boolean {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isName(value: unknown): boolean {
  return typeof value === "string" && value.length > 0 && value.length <= MAX_NAME_CHARS;
}

function describe(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
}
