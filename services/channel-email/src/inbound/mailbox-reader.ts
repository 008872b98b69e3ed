import { Logger } from '@nestjs/common';
import { ImapFlow } from 'imapflow';
import { SourceFencedError, type CheckpointedSource } from '@firstline/bus';
import { LeaseLostError } from '@firstline/persistence';
import type { MailboxConfig } from '../config';
import { decodeCheckpoint, type Checkpoint } from '../email-store';

/** One mail as the server holds it. */
export interface FetchedMail {
  uid: number;
  source: Buffer;
}

export interface MailboxReaderOptions {
  pollIntervalMs: number;
  batchSize: number;
  /** The mailbox as a source of the bus, whose checkpoint is committed with the mails. */
  openSource(): Promise<CheckpointedSource>;
  /** The checkpoint kept in the service's database, for a source the bus has none of. */
  checkpoint(mailbox: string): Promise<Checkpoint | undefined>;
  /** Copies it there; throws LeaseLostError once the mailbox is another replica's: the reader stops. */
  saveCheckpoint(checkpoint: Checkpoint): Promise<void>;
  /** Publishes the batch and the checkpoint past it together, through the source. */
  publish(
    source: CheckpointedSource,
    mailbox: MailboxConfig,
    uidValidity: bigint,
    mails: FetchedMail[],
    checkpoint: Checkpoint,
  ): Promise<void>;
}

const maxReconnectDelayMs = 60_000;

/**
 * Reads one IMAP mailbox for as long as it runs: publishes what is past its checkpoint in UID
 * order, then waits in IDLE for new mail, polling as well in case the server's IDLE is silent.
 * A lost connection is re-opened with exponential backoff.
 */
export class MailboxReader {
  private readonly logger: Logger;
  private stopped = false;
  private client?: ImapFlow;
  private wake?: () => void;
  private running?: Promise<void>;
  private source?: CheckpointedSource;

  constructor(
    private readonly mailbox: MailboxConfig,
    private readonly options: MailboxReaderOptions,
  ) {
    this.logger = new Logger(`email ${mailbox.name}`);
  }

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    this.client?.close();
    await this.running;
    await this.source?.close();
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        await this.session(() => (failures = 0));
      } catch (error) {
        if (this.stopped) break;
        // Opened again elsewhere, or its transaction timed out: open it anew, reading the
        // checkpoint again; if the mailbox has gone to another replica, the lease stops this one.
        if (error instanceof SourceFencedError) this.source = undefined;
        if (error instanceof LeaseLostError) {
          this.logger.warn(`${error.message}; reading stops here`);
          break;
        }
        failures++;
        const delayMs = Math.min(1_000 * 2 ** (failures - 1), maxReconnectDelayMs);
        this.logger.warn(`mailbox failed (${String(error)}); reconnecting in ${delayMs} ms`);
        await this.sleep(delayMs);
      }
    }
  }

  private async session(onConnected: () => void): Promise<void> {
    // Opening fences the mailbox's previous reader, wherever it runs, before its checkpoint is read.
    this.source ??= await this.options.openSource();
    const { host, port, secure, user, password, folder } = this.mailbox;
    const client = new ImapFlow({
      host,
      port,
      secure,
      auth: { user, pass: password },
      logger: false,
    });
    // Without a listener an 'error' event would crash the process; the session ends instead.
    client.on('error', (error: Error) => this.logger.warn(`IMAP error: ${error.message}`));
    this.client = client;
    await client.connect();
    try {
      const { uidValidity } = await client.mailboxOpen(folder);
      onConnected();
      while (!this.stopped) {
        const more = await this.publishPending(client, uidValidity);
        if (!more) await this.waitForMail(client);
        if (!client.usable && !this.stopped) throw new Error('connection closed');
      }
    } finally {
      await client.logout().catch(() => client.close());
    }
  }

  /** Publishes the next batch past the checkpoint; true when there may be more. */
  private async publishPending(client: ImapFlow, uidValidity: bigint): Promise<boolean> {
    const source = this.source!;
    const saved =
      decodeCheckpoint(source.checkpoint) ?? (await this.options.checkpoint(this.mailbox.name));
    if (saved && saved.uidValidity !== uidValidity) {
      // The server renumbered the mailbox. Everything is published again; the message ids are
      // derived from the mails themselves, so consumers recognise what they already have.
      this.logger.warn(
        `UIDVALIDITY changed from ${saved.uidValidity} to ${uidValidity}; rescanning`,
      );
    }
    const lastUid = saved?.uidValidity === uidValidity ? saved.lastUid : 0;
    // "n:*" always matches the highest UID, even below n: filter.
    const found = (await client.search({ uid: `${lastUid + 1}:*` }, { uid: true })) || [];
    const pending = found
      .filter((uid) => uid > lastUid)
      .sort((a, b) => a - b)
      .slice(0, this.options.batchSize);
    if (pending.length === 0) return false;

    const mails: FetchedMail[] = [];
    for await (const message of client.fetch(
      pending.join(','),
      { uid: true, source: true },
      { uid: true },
    )) {
      if (message.source) mails.push({ uid: message.uid, source: message.source });
    }
    mails.sort((a, b) => a.uid - b.uid);
    const checkpoint = { uidValidity, lastUid: pending[pending.length - 1] };
    await this.options.publish(source, this.mailbox, uidValidity, mails, checkpoint);
    await this.options.saveCheckpoint(checkpoint);
    await this.markProcessed(client, pending);
    return pending.length === this.options.batchSize;
  }

  private async markProcessed(client: ImapFlow, uids: number[]): Promise<void> {
    const range = uids.join(',');
    const { processed } = this.mailbox;
    if (processed.action === 'seen') await client.messageFlagsAdd(range, ['\\Seen'], { uid: true });
    if (processed.action === 'move')
      await client.messageMove(range, processed.folder, { uid: true });
  }

  /** Until the server announces new mail (IDLE), the poll interval passes, the link drops or stop(). */
  private waitForMail(client: ImapFlow): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        client.off('exists', done);
        client.off('close', done);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.options.pollIntervalMs);
      client.on('exists', done);
      client.on('close', done);
      this.wake = done;
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }
}
