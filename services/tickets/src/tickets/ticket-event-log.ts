import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { OutgoingMessage } from '@firstline/bus';
import {
  ActorKind,
  create,
  encode,
  messageType,
  TicketEventSchema,
  TicketEventType,
  timestampDate,
  timestampFromDate,
  TOPICS,
  type MessageShape,
} from '@firstline/contracts';
import {
  joinWrites,
  outboxInsert,
  transactionSchema,
  type JoinableWrite,
  type NumberedStatement,
} from '@firstline/persistence';
import type { EventDetails } from '@firstline/ticketing';
import { toJson } from '@bufbuild/protobuf';
import type { Ticket } from './ticket';

export type TicketEvent = MessageShape<typeof TicketEventSchema>;
export interface Actor {
  kind: ActorKind;
  id: string;
}

export const SYSTEM_ROUTER: Actor = { kind: ActorKind.SYSTEM, id: 'router' };
/** Messages and changes the tickets service makes by itself (CSAT survey, auto-close). */
export const SYSTEM_TICKETS: Actor = { kind: ActorKind.SYSTEM, id: 'tickets' };
export const SYSTEM_AUTO_CLOSE: Actor = { kind: ActorKind.SYSTEM, id: 'auto-close' };
/** Ends live chats in which nobody wrote for a while. */
export const SYSTEM_CHAT_INACTIVITY: Actor = { kind: ActorKind.SYSTEM, id: 'chat-inactivity' };
export const agentActor = (agentId: string): Actor => ({ kind: ActorKind.AGENT, id: agentId });
export const customerActor = (customerId: string): Actor => ({
  kind: ActorKind.CUSTOMER,
  id: customerId,
});

const TYPE_OF_CASE: Record<NonNullable<EventDetails['case']>, TicketEventType> = {
  created: TicketEventType.CREATED,
  messageAdded: TicketEventType.MESSAGE_ADDED,
  assigned: TicketEventType.ASSIGNED,
  statusChanged: TicketEventType.STATUS_CHANGED,
  transferred: TicketEventType.TRANSFERRED,
  noteAdded: TicketEventType.NOTE_ADDED,
  priorityChanged: TicketEventType.PRIORITY_CHANGED,
  slaBreached: TicketEventType.SLA_BREACHED,
  csatRecorded: TicketEventType.CSAT_RECORDED,
  tagsChanged: TicketEventType.TAGS_CHANGED,
  callbackAttempted: TicketEventType.CALLBACK_ATTEMPTED,
};

/**
 * The events of one transaction: each becomes a `ticket_event` row (the ticket's history) and a
 * TicketEvent in the outbox, written together by `flush()` so that history and announcement never
 * part. Also carries other records to publish with them (outbound messages), and writes of the
 * transaction's own rows that `flush()` joins to the same statement.
 */
export class TicketEventLog {
  private readonly events: TicketEvent[] = [];
  private readonly extra: OutgoingMessage[] = [];
  private readonly writes: JoinableWrite[] = [];
  /** The team each ticket moved to by a transfer recorded here: its later events carry it. */
  private readonly movedTo = new Map<string, string>();

  /**
   * An event of the ticket; it carries the ticket's team, the new one from a transfer on, even
   * when the caller still holds the ticket as it was before the transfer.
   */
  record(
    ticket: Pick<Ticket, 'id' | 'number' | 'teamId'>,
    actor: Actor,
    at: Date,
    details: EventDetails,
  ): TicketEvent {
    if (details.case === 'transferred') this.movedTo.set(ticket.id, details.value.toTeamId);
    const event = create(TicketEventSchema, {
      eventId: randomUUID(),
      ticketId: ticket.id,
      ticketNumber: ticket.number,
      type: details.case ? TYPE_OF_CASE[details.case] : TicketEventType.UNSPECIFIED,
      actor: { kind: actor.kind, id: actor.id },
      occurredAt: timestampFromDate(at),
      teamId: this.movedTo.get(ticket.id) ?? ticket.teamId,
      details,
    });
    this.events.push(event);
    return event;
  }

  publish(message: OutgoingMessage): void {
    this.extra.push(message);
  }

  /**
   * A write that nothing in the transaction reads back (a new message, the ticket's new state):
   * made by `flush()`'s statement, a round trip fewer each.
   */
  write(write: JoinableWrite): void {
    this.writes.push(write);
  }

  /**
   * Makes the writes and writes the history rows and the outbox records, each chunk of events
   * with its announcements in one statement (data-modifying WITH queries): one round trip where
   * there were several.
   */
  async flush(manager: EntityManager): Promise<void> {
    const schema = transactionSchema(manager, 'TicketEventLog.flush');
    const announced: OutgoingMessage[] = [
      ...this.events.map((event) => ({
        topic: TOPICS.ticketEvents.name,
        key: event.ticketId,
        value: encode(TicketEventSchema, event),
        headers: { messageId: event.eventId, type: messageType(TicketEventSchema) },
      })),
      ...this.extra,
    ];
    // Every event is announced, so the announcements' chunks cover the events'. The writes go
    // with the first chunk, or alone when nothing is announced.
    let writes = this.writes.splice(0);
    for (let start = 0; start < announced.length || writes.length > 0;) {
      const events = this.events.slice(start, start + ROWS_PER_STATEMENT);
      const announcements = announced.slice(start, start + ROWS_PER_STATEMENT);
      const statement = joinWrites([
        ...writes,
        ...(events.length > 0 ? [(first: number) => historyInsert(events, first)] : []),
        ...(announcements.length > 0
          ? [(first: number) => outboxInsert(schema, announcements, { firstParameter: first })]
          : []),
      ]);
      await manager.query(statement.sql, statement.parameters);
      writes = [];
      start += ROWS_PER_STATEMENT;
    }
    this.events.length = 0;
    this.extra.length = 0;
    this.movedTo.clear();
  }
}

/**
 * Events and their announcements per statement: seven parameters an event and five an outbox
 * row stay far below the 65,535 Postgres binds.
 */
const ROWS_PER_STATEMENT = 1_000;

/** The INSERT of events (at least one) into the tickets' history, parameters from `first`. */
function historyInsert(events: TicketEvent[], first: number): NumberedStatement {
  const parameters = events.flatMap((event) => [
    event.eventId,
    event.ticketId,
    TicketEventType[event.type],
    ActorKind[event.actor?.kind ?? ActorKind.UNSPECIFIED],
    event.actor?.id ?? '',
    JSON.stringify(toJson(TicketEventSchema, event)),
    timestampDate(event.occurredAt!),
  ]);
  const rows = events.map((_, index) => {
    const p = first + index * 7;
    return `($${p}, $${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}, $${p + 6})`;
  });
  return {
    sql: `INSERT INTO tickets.ticket_event (id, ticket_id, type, actor_kind, actor_id, record,
      occurred_at) VALUES ${rows.join(', ')}`,
    parameters,
  };
}
