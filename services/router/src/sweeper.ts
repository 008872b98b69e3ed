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
import { decision, decisionRecord } from './decisions';
import { loadRoutingPolicies } from './directory.store';
import { queueMoves } from './queue-moves';
import { fireDueTimers } from './timers.store';

/**
 * Assigns queued tickets of these teams to agents with room and announces each assignment as a
 * RoutingDecision, in the caller's transaction, and the new place of those still waiting behind
 * them. Returns how many were assigned.
 */
export async function drainAndAnnounce(
  manager: EntityManager,
  teamIds: string[],
  now: Date,
): Promise<number> {
  const { made, decidedAt } = await drainTeamQueues(manager, teamIds, now);
  const moved = await queueMoves(
    manager,
    [...new Set(made.map((a) => a.ticket.team_id))],
    decidedAt,
  );
  await enqueueOutbox(manager, [
    ...made.map(({ ticket }) =>
      decisionRecord(
        decision(ticket, { disposition: TicketDisposition.ASSIGNED_FROM_QUEUE, now: decidedAt }),
      ),
    ),
    ...moved.map((queued) => decisionRecord(queued)),
  ]);
  return made.length;
}

const SWEEP_INTERVAL_MS = 1_000;

/**
 * Once a second: fires the escalation timers that are due, then drains the queues. Capacity frees
 * up through events (an agent comes online, a ticket is resolved), and each such event drains the
 * queue at once; a message queued in the same instant as capacity freed can miss that drain,
 * since neither transaction sees the other's uncommitted work, and this sweep catches it. Timers
 * and drain are two transactions: the timers' never waits for an agent's lock, which a routing
 * batch may hold while it wants a timer row.
 */
@Injectable()
export class Sweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(Sweeper.name);
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<unknown>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.sweeping ??= this.sweep()
        .catch((error: unknown) => {
          // A failed round changes nothing; the next one tries again.
          this.logger.warn(`sweep failed: ${error instanceof Error ? error.message : error}`);
        })
        .finally(() => (this.sweeping = undefined));
    }, SWEEP_INTERVAL_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  /** One round: resolves with the decisions it published (escalations and assignments). */
  async sweep(now = new Date()): Promise<number> {
    const escalated = await this.dataSource.transaction(async (manager) => {
      const fired = await fireDueTimers(manager, await loadRoutingPolicies(manager), now);
      await enqueueOutbox(
        manager,
        fired.decisions.map((decision) => decisionRecord(decision)),
      );
      return fired.decisions.length;
    });
    const assigned = await this.dataSource.transaction(async (manager) => {
      const [{ locked }]: Array<{ locked: boolean }> = await manager.query(
        `SELECT pg_try_advisory_xact_lock(hashtext('firstline.router.queue-sweep')) AS locked`,
      );
      if (!locked) return 0;
      return drainAndAnnounce(manager, await teamsWithQueuedTickets(manager), now);
    });
    if (escalated + assigned > 0) this.relay.nudge();
    return escalated + assigned;
  }
}
