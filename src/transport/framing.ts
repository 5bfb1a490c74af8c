// Length-prefixed frames for a byte stream (the shared model process's socket): a 4-byte big-endian
// length, then that many bytes of UTF-8 JSON. The length is checked against a limit as soon as its
// 4 bytes are in, so an oversized frame is refused before its body is read, let alone parsed.
//
// Lives in engine/ because the layer rules give the extension and the model process no other
// common folder for code (protocol.ts holds types); it imports nothing outside engine/transport.

/**
 * Most bytes in one frame's body by default. The largest messages the protocol carries are a
 * generate request with a long prompt and extra context (the settings allow 5,000 + 5,000 lines
 * and 32,768 extra tokens: a few MiB at most) and a benchmark's result; 8 MiB holds those with
 * room, while a peer cannot make the other side buffer more than that for one message.
 */
export const MAX_FRAME_BYTES = 8 * 1024 * 1024;

/** The length header: 4 bytes, big-endian, unsigned. */
export const FRAME_HEADER_BYTES = 4;

/** A frame whose header announces more than the limit; its body is never read. */
export class OversizedFrame {
  constructor(readonly bytes: number, readonly limit: number) {}
}

export function encodeFrame(message: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(message), "utf8");
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, FRAME_HEADER_BYTES);
  return frame;
}

/**
 * Cuts a stream into frame bodies. Chunks are kept as they come and joined only once a whole
 * frame is in: joining on every chunk would copy a large frame over and over.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;

  /** `limit` is read at each header, so a reader may raise it after a handshake. */
  constructor(public limit: number) {}

  /** The bytes received and not yet handed out as a frame. */
  get pending(): number {
    return this.buffered;
  }

  /**
   * Adds a chunk and returns the frames it completes, in order. Stops at an oversized header and
   * returns it last; the caller must then stop feeding (the stream is out of step from there).
   */
  push(chunk: Buffer): Array<Buffer | OversizedFrame> {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const out: Array<Buffer | OversizedFrame> = [];
    while (this.buffered >= FRAME_HEADER_BYTES) {
      const length = this.peekLength();
      if (length > this.limit) {
        out.push(new OversizedFrame(length, this.limit));
        this.chunks = [];
        this.buffered = 0;
        break;
      }
      if (this.buffered < FRAME_HEADER_BYTES + length) break;
      const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
      out.push(all.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + length));
      const rest = all.subarray(FRAME_HEADER_BYTES + length);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
    }
    return out;
  }

  private peekLength(): number {
    const first = this.chunks[0]!;
    if (first.length >= FRAME_HEADER_BYTES) return first.readUInt32BE(0);
    const joined = Buffer.concat(this.chunks, this.buffered);
    this.chunks = [joined];
    return joined.readUInt32BE(0);
  }
}

const utf8 = new TextDecoder("utf-8", {fatal: true});

/** Parses a frame body, or says why it is not UTF-8 JSON. */
export function parseFrame(body: Buffer): {value: unknown} | {problem: string} {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return {problem: "not UTF-8"};
  }
  try {
    return {value: JSON.parse(text)};
  } catch {
    return {problem: "not JSON"};
  }
}
