import { Injectable, Logger } from '@nestjs/common';
import { toJson } from '@bufbuild/protobuf';
import { Consume, type DeliveredMessage } from '@firstline/bus';
import { decode, TicketEventSchema, TOPICS } from '@firstline/contracts';
import { mayWorkOn } from '../api/ticket-access';
import { mayBeNotified, NotificationRepository } from '../notifications/notification.repository';
import type { TicketEvent } from '../tickets/ticket-event-log';
import { LiveGateway } from './live.gateway';
import { TicketTeams } from './ticket-teams';

/**
 * Pushes the service's own ticket events (after their commit) to the agents who may see them.
 * Each replica reads every ticket event (`everyReplica`: a group per replica, named after it),
 * whichever replica made the change, for the agents connected to it. Records produced before
 * this replica started are skipped without a query: nobody was connected to it then. An event
 * names the ticket's team; only an earlier version's, without it, has the ticket looked up.
 */
@Injectable()
export class LiveUpdatesConsumer {
  private readonly logger = new Logger(LiveUpdatesConsumer.name);
  private readonly startedAt = Date.now();

  constructor(
    private readonly gateway: LiveGateway,
    private readonly notifications: NotificationRepository,
    private readonly teams: TicketTeams,
  ) {}

  @Consume({
    topics: [TOPICS.ticketEvents.name],
    everyReplica: true,
    retry: { attempts: 1 },
  })
  async handle(messages: DeliveredMessage[]): Promise<void> {
    if (this.gateway.connected === 0) {
      // Left unread, these events may move tickets to other teams.
      this.teams.forgetAll();
      return;
    }
    const events = messages
      .filter((message) => Date.parse(message.headers.producedAt) >= this.startedAt)
      .flatMap((message) => readEvent(message));
    if (events.length === 0) return;
    this.teams.learn(events);
    // Best effort: a push that fails is logged, never retried or dead-lettered.
    try {
      await this.push(events);
    } catch (error) {
      this.logger.warn(`Live updates of ${events.length} events failed: ${String(error)}`);
    }
  }

  private async push(events: TicketEvent[]): Promise<void> {
    const teamOf = await this.teams.of(
      events.filter((event) => !event.teamId).map((event) => event.ticketId),
    );
    for (const event of events) {
      const teamId = event.teamId || teamOf.get(event.ticketId);
      // A transfer is news to the team the ticket left, too.
      const teams = new Set([teamId, ...teamsNamedBy(event)].filter((team) => !!team));
      this.gateway.push(
        {
          type: 'ticket-event',
          ticketId: event.ticketId,
          ticketNumber: event.ticketNumber,
          teamId,
          event: toJson(TicketEventSchema, event),
        },
        (agent) => [...teams].some((team) => mayWorkOn(agent, { teamId: team! })),
      );
    }
    // Notifications carry the id of the event that caused them.
    const causes = events.filter(
      (event) => event.details.case === 'csatRecorded' || event.details.case === 'slaBreached',
    );
    for (const notification of await this.notifications.findMany(causes.map((e) => e.eventId))) {
      this.gateway.push({ type: 'notification', notification }, (agent) =>
        mayBeNotified(agent, notification.teamId),
      );
    }
  }
}

function teamsNamedBy(event: TicketEvent): string[] {
  switch (event.details.case) {
    case 'created':
      return [event.details.value.teamId];
    case 'transferred':
      return [event.details.value.fromTeamId, event.details.value.toTeamId];
    default:
      return [];
  }
}

function readEvent(message: DeliveredMessage): TicketEvent[] {
  try {
    return [decode(TicketEventSchema, message.value)];
  } catch {
    return [];
  }
}
