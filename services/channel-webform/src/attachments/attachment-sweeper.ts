import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { ATTACHMENT_STORE, type AttachmentStore } from '@firstline/attachments';

/** How long an upload may take: the parts of one older than this and never kept are abandoned. */
export const UNFINISHED_UPLOAD_GRACE_MS = 60 * 60 * 1000;
const SWEEP_INTERVAL_MS = 10 * 60 * 1000;

/**
 * Removes, on a schedule, what uploads never finished or refused left in the store. Kept files
 * stay: the store is shared, and a file a customer sent may be the one an agent forwards
 * (docs/adr/0022). Every replica may sweep; the deletes are idempotent.
 */
@Injectable()
export class AttachmentSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AttachmentSweeper.name);
  private timer?: NodeJS.Timeout;
  private inFlight?: Promise<unknown>;

  constructor(@Inject(ATTACHMENT_STORE) private readonly store: AttachmentStore) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.scheduled(), SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  /** Before the database closes: no new sweep, and the one running finishes. */
  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.inFlight;
  }

  /** Removes what was left unfinished for the grace time as of `now`. */
  sweep(now = new Date()): Promise<number> {
    return this.store.sweepAbandoned(new Date(now.getTime() - UNFINISHED_UPLOAD_GRACE_MS));
  }

  private scheduled(): void {
    if (this.inFlight) return;
    this.inFlight = this.sweep()
      .then((uploads) => {
        if (uploads > 0) this.logger.log(`removed ${uploads} unfinished upload(s)`);
      })
      .catch((error: unknown) =>
        this.logger.warn(`sweep of unfinished uploads failed: ${String(error)}`),
      )
      .finally(() => (this.inFlight = undefined));
  }
}
