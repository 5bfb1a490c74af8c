// One shape for a two-way message channel, so that the extension and the model process speak the
// same way over Node's IPC (a forked process: ipcChannel.ts) and over a socket (the shared process
// of several windows: socketChannel.ts). Every incoming message passes the channel's validator
// before anyone sees it; a message that fails it, or a frame over the size limit, closes this one
// channel and says why (the "violation" event, then "close"), and nothing else.
import {EventEmitter} from "node:events";

/** Says what is wrong with an incoming message, or returns undefined when its shape is the expected one. */
export type MessageValidator = (value: unknown) => string | undefined;

/** Lets every message through: for channels whose peer is this program's own code (a forked child). */
export const ACCEPT_ANY: MessageValidator = () => undefined;

export interface ChannelViolation {
  /** oversized: a frame header over the limit (its body is not read); malformed: not UTF-8 JSON, or the wrong shape. */
  kind: "oversized" | "malformed";
  detail: string;
}

export interface ChannelClosed {
  /** self: close() was called; peer: the other end went away; violation: the peer sent what the channel refuses. */
  by: "self" | "peer" | "violation";
  reason: string;
  violation?: ChannelViolation;
}

export interface ChannelEvents<In> {
  message: [In];
  /** Emitted before the channel closes itself; a listener may still close(farewell) to tell the peer why. */
  violation: [ChannelViolation];
  /** Emitted once, whatever closed the channel. */
  close: [ChannelClosed];
}

export interface MessageChannel<In, Out> extends EventEmitter<ChannelEvents<In>> {
  /** Sends one message; false once the channel is closed (or while the transport buffers: back-pressure). */
  send(message: Out): boolean;
  /** Closes the channel, after sending `farewell` if given. Closing twice does nothing. */
  close(farewell?: Out): void;
  readonly closed: boolean;
  /** The check every incoming message passes; replaceable, e.g. once a handshake is over. */
  validate: MessageValidator;
  /** Holds incoming messages (checked, in order) instead of emitting them, until resume(). */
  pause(): void;
  /** Emits the held messages, then each as it comes. */
  resume(): void;
}

/** What both transports share: validation, and one close event whoever closes. */
export abstract class BaseChannel<In, Out> extends EventEmitter<ChannelEvents<In>> implements MessageChannel<In, Out> {
  private ended = false;
  private violation: ChannelViolation | undefined;
  private held: In[] | undefined;

  constructor(public validate: MessageValidator) {
    super();
  }

  get closed(): boolean {
    return this.ended;
  }

  abstract send(message: Out): boolean;

  pause(): void {
    this.held ??= [];
  }

  resume(): void {
    const held = this.held ?? [];
    this.held = undefined;
    while (held.length > 0 && !this.ended) {
      // A listener paused again: the rest stays held, in order, before anything newer.
      const again = this.held as In[] | undefined;
      if (again) return void again.unshift(...held);
      this.emit("message", held.shift()!);
    }
  }

  close(farewell?: Out): void {
    if (this.ended) return;
    const violation = this.violation;
    this.finish(violation ? {by: "violation", reason: `${violation.kind} message: ${violation.detail}`, violation}
      : {by: "self", reason: "closed by this side"});
    this.shutdown(farewell);
  }

  /** Ends the transport, after sending `farewell` when given. */
  protected abstract shutdown(farewell?: Out): void;

  /** Releases the listeners the transport put on its socket or process. */
  protected abstract detach(): void;

  protected receive(value: unknown): void {
    if (this.ended) return;
    const problem = this.validate(value);
    if (problem !== undefined) this.violate({kind: "malformed", detail: problem});
    else if (this.held) this.held.push(value as In);
    else this.emit("message", value as In);
  }

  protected violate(violation: ChannelViolation): void {
    if (this.ended || this.violation) return;
    this.violation = violation;
    this.emit("violation", violation);
    this.close();
  }

  protected peerClosed(reason: string): void {
    this.finish({by: "peer", reason});
  }

  private finish(closed: ChannelClosed): void {
    if (this.ended) return;
    this.ended = true;
    this.detach();
    this.emit("close", closed);
  }
}
