import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { TicketDisposition } from '@firstline/contracts';
import { enqueueOutbox, OutboxRelay } from '@firstline/persistence';
import { drainTeamQueues, teamsWithQueuedTickets } from './assignment.store';
import { decision, decisionRecord } from './route-message';

/**
 * Assigns queued tickets of these teams to agents with room and announces each assignment as a
 * RoutingDecision, in the caller's transaction. Returns how many were assigned.
 */
export async function drainAndAnnounce(
  manager: EntityManager,
  teamIds: string[],
  now: Date,
): Promise<number> {
  const assignments = await drainTeamQueues(manager, teamIds, now);
  await enqueueOutbox(
    manager,
    assignments.map(({ ticket }) =>
      decisionRecord(decision(ticket, undefined, TicketDisposition.ASSIGNED_FROM_QUEUE, now, 0)),
    ),
  );
  return assignments.length;
}

const SWEEP_INTERVAL_MS = 1_000;

/**
 * Capacity frees up through events (an agent comes online, a ticket is resolved), and each such
 * event drains the queue at once. A message queued in the same instant as capacity freed can miss
 * that drain, since neither transaction sees the other's uncommitted work; this sweep catches it
 * within a second. One instance sweeps per round.
 */
@Injectable()
export class QueueSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(QueueSweeper.name);
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<number>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.sweeping ??= this.sweep().finally(() => (this.sweeping = undefined));
    }, SWEEP_INTERVAL_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  /** One round; resolves with the number of tickets assigned. */
  async sweep(): Promise<number> {
    const assigned = await this.dataSource
      .transaction(async (manager) => {
        const [{ locked }]: Array<{ locked: boolean }> = await manager.query(
          `SELECT pg_try_advisory_xact_lock(hashtext('firstline.router.queue-sweep')) AS locked`,
        );
        if (!locked) return 0;
        return drainAndAnnounce(manager, await teamsWithQueuedTickets(manager), new Date());
      })
      .catch((error: unknown) => {
        // A failed round changes nothing; the next one tries again.
        this.logger.warn(`queue sweep failed: ${error instanceof Error ? error.message : error}`);
        return 0;
      });
    if (assigned > 0) this.relay.nudge();
    return assigned;
  }
}
