import { Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';

/** What a sweep is called in its log lines, and how often it runs. */
export interface SweepSchedule {
  what: string;
  everyMs: number;
}

/**
 * A round of work repeated on a schedule while the service runs, on every replica (each round
 * locks what it changes): a subclass does one round in `round()`. Rounds never overlap — one
 * still running when the next is due lets that one pass —, a failed round is logged and left to
 * the next, the timer never keeps the process alive, and on shutdown no round starts while the
 * running one finishes, before the database closes.
 */
export abstract class PeriodicSweep implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger: Logger;
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  protected constructor(private readonly schedule: SweepSchedule) {
    this.logger = new Logger(this.constructor.name);
  }

  /** One round; what it resolves with is for tests and callers that run it themselves. */
  protected abstract round(): Promise<unknown>;

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.tick(), this.schedule.everyMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private tick(): void {
    this.running ??= this.round()
      .catch((error: unknown) =>
        this.logger.warn(`${this.schedule.what} failed; retrying next round: ${String(error)}`),
      )
      .finally(() => (this.running = undefined));
  }
}
