import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { AttachmentStore } from './attachment-store';

/**
 * How long a file no submission uses is kept: longer than any upload or retry takes, so a file
 * kept for a submission being written, or for a client about to retry, is not taken from it.
 */
export const UNUSED_FILE_GRACE_MS = 60 * 60 * 1000;
const SWEEP_INTERVAL_MS = 10 * 60 * 1000;

/**
 * Removes, on a schedule, files no submission uses and uploads never finished. Every replica may
 * sweep; the deletes are idempotent.
 */
@Injectable()
export class AttachmentSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AttachmentSweeper.name);
  private timer?: NodeJS.Timeout;
  private inFlight?: Promise<unknown>;

  constructor(private readonly store: AttachmentStore) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.scheduled(), SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  /** Before the database closes: no new sweep, and the one running finishes. */
  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.inFlight;
  }

  /** Removes what was unused for the grace time as of `now`. */
  sweep(now = new Date()): Promise<{ files: number; uploads: number }> {
    return this.store.sweep(new Date(now.getTime() - UNUSED_FILE_GRACE_MS));
  }

  private scheduled(): void {
    if (this.inFlight) return;
    this.inFlight = this.sweep()
      .then(({ files, uploads }) => {
        if (files + uploads > 0) {
          this.logger.log(`removed ${files} unused file(s) and ${uploads} unfinished upload(s)`);
        }
      })
      .catch((error: unknown) => this.logger.warn(`sweep of unused files failed: ${String(error)}`))
      .finally(() => (this.inFlight = undefined));
  }
}
