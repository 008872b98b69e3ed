import type { Channel, InboundMessage, OutboundMessage } from '@firstline/contracts';
import type { ErrorKind } from '@firstline/errors';

/**
 * What a channel adapter is, as plain functions: the service around it (HTTP routes, polling,
 * SMTP) only moves bytes in and out and hands them to these. Every adapter implements the same
 * contract and runs the same contract suite (`libs/channel/test/contract-suite.ts`).
 *
 * Type parameters: `Payload` is one unit of the platform's input (a Telegram Update, a VK event,
 * a raw mail, a web-form submission); `Context` what the adapter knows beside it (the bot or
 * community it came to, where files are served); `Rendered` the platform calls that send one
 * OutboundMessage.
 */
export interface ChannelAdapter<Payload, Context, Rendered> {
  readonly channel: Channel;

  /**
   * One unit of input as what Firstline should do with it. Never throws for bad input: a
   * payload that cannot be read is `rejected` with a reason (it is dead-lettered and the platform
   * is answered with success, so it does not redeliver it for ever); one that is not a customer
   * writing to support is `ignored` with a reason (the adapter's ADR lists them).
   */
  normalise(payload: Payload, context: Context, receivedAt: Date): Promise<Normalised>;

  /** The platform calls for one message. Throws BadInputError for a message this channel cannot carry. */
  render(message: OutboundMessage, context: Context): Rendered;

  /**
   * Whether a request really came from the platform (a signature, a shared secret). Adapters
   * whose input cannot be forged by a stranger (a mailbox the adapter logs in to) omit it.
   */
  verify?(request: SignedRequest, context: Context): Verdict;

  /** What a failed platform call means for the message: the one place the adapter decides it. */
  classifyError(error: unknown): SendFailure;
}

export type Normalised =
  | { kind: 'message'; message: InboundMessage; files?: InboundFile[] }
  | { kind: 'ignored'; reason: string }
  | { kind: 'rejected'; reason: string };

/** Bytes of a received attachment, to be stored under `storageKey` before the message is published. */
export interface InboundFile {
  storageKey: string;
  content: Buffer;
}

/** An HTTP request as the platform sent it: the raw body, before any JSON parsing. */
export interface SignedRequest {
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
}

export type Verdict =
  | { kind: 'accepted' }
  /** The platform's handshake (VK's confirmation, a webhook's challenge): answer with `body`. */
  | { kind: 'handshake'; body: string }
  | { kind: 'rejected'; status: 400 | 401 | 403; reason: string };

/** What a failed send means for the message. */
export interface SendFailure {
  kind: ErrorKind;
  /** In words an agent can act on. */
  reason: string;
  /** For rate limits: how long the platform asked us to wait. */
  retryAfterMs?: number;
  /** The customer cannot be reached here until they write again (blocked the bot, closed messages). */
  recipientUnreachable: boolean;
}

/** What came of sending one OutboundMessage. */
export type SendOutcome =
  { sent: true; channelMessageId: string } | { sent: false; failure: SendFailure };
