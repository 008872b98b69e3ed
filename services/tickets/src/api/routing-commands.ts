import { randomUUID } from 'node:crypto';
import { ConflictException, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  create,
  encode,
  messageType,
  RoutingCommandSchema,
  timestampFromDate,
  TOPICS,
  type RoutingCommand,
} from '@firstline/contracts';
import type { SignedInAgent } from '../auth/auth.service';
import { TicketRepository } from '../database/ticket.repository';
import type { Ticket } from '../tickets/ticket';
import type { TicketEventLog } from '../tickets/ticket-event-log';
import { TicketsSettings } from '../tickets-settings';

export type CommandKind = NonNullable<RoutingCommand['command']['case']>;

/** What the agent gets back: the router's verdict, or only that the request is on its way. */
export type CommandAnswer =
  | { status: 'applied'; assigneeId: string | null; teamId: string }
  | { status: 'requested'; commandId: string };

const POLL_MS = 100;

/**
 * The agents' claims, hand-backs and transfers, sent to the router: it alone decides who works
 * a ticket (docs/adr/0015), and tickets writes an assignment only from its decisions. A command
 * is stored and put in the outbox in the agent's transaction; its answer, a REASSIGNED decision,
 * marks the row, which the API waits on for a few seconds whichever replica consumed it.
 */
@Injectable()
export class RoutingCommands {
  constructor(
    private readonly dataSource: DataSource,
    private readonly settings: TicketsSettings,
    private readonly tickets: TicketRepository,
  ) {}

  /** Records the command and queues it for the router, in the caller's transaction. */
  async request(
    manager: EntityManager,
    log: TicketEventLog,
    ticket: Ticket,
    agent: SignedInAgent,
    command: RoutingCommand['command'],
    note = '',
  ): Promise<string> {
    const commandId = randomUUID();
    const requestedAt = new Date();
    await manager.query(
      `INSERT INTO tickets.routing_command (id, ticket_id, agent_id, kind, note, requested_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [commandId, ticket.id, agent.id, command.case, note, requestedAt],
    );
    const record = create(RoutingCommandSchema, {
      commandId,
      ticketId: ticket.id,
      agentId: agent.id,
      requestedAt: timestampFromDate(requestedAt),
      command,
    });
    log.publish({
      topic: TOPICS.routingCommands.name,
      key: ticket.id,
      value: encode(RoutingCommandSchema, record),
      headers: { messageId: commandId, type: messageType(RoutingCommandSchema) },
    });
    return commandId;
  }

  /**
   * Waits up to TICKETS_COMMAND_WAIT_MS for the router's answer: the ticket's assignee and team
   * once applied, a 409 with the router's reason when it refused, or `requested` when it has not
   * answered yet (the change then arrives as a live ticket event).
   */
  async answer(commandId: string, ticketId: string): Promise<CommandAnswer> {
    const deadline = Date.now() + this.settings.commandWaitMs;
    for (;;) {
      const [row] = await this.dataSource.query<
        Array<{ decided_at: Date | null; refusal: string | null }>
      >(`SELECT decided_at, refusal FROM tickets.routing_command WHERE id = $1`, [commandId]);
      if (row?.decided_at) {
        if (row.refusal) throw new ConflictException(row.refusal);
        const ticket = await this.tickets.findTicket(ticketId);
        return { status: 'applied', assigneeId: ticket!.assigneeId, teamId: ticket!.teamId };
      }
      if (Date.now() >= deadline) return { status: 'requested', commandId };
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
}

/** Marks the commands the router answered, in the decision batch's transaction. */
export async function recordCommandOutcomes(
  manager: EntityManager,
  outcomes: Array<{ commandId: string; refusal: string; decidedAt: Date }>,
): Promise<Map<string, { agentId: string; kind: CommandKind; note: string }>> {
  if (outcomes.length === 0) return new Map();
  // TypeORM answers an UPDATE with [returned rows, affected count].
  const [rows] = await manager.query<
    [Array<{ id: string; agent_id: string; kind: CommandKind; note: string }>, number]
  >(
    `UPDATE tickets.routing_command c
        SET decided_at = o.decided_at, refusal = nullif(o.refusal, '')
       FROM jsonb_to_recordset($1::jsonb) AS o (id text, refusal text, decided_at timestamptz)
      WHERE c.id = o.id AND c.decided_at IS NULL
      RETURNING c.id, c.agent_id, c.kind, c.note`,
    [
      JSON.stringify(
        outcomes.map(({ commandId, refusal, decidedAt }) => ({
          id: commandId,
          refusal,
          decided_at: decidedAt,
        })),
      ),
    ],
  );
  return new Map(
    rows.map((row) => [row.id, { agentId: row.agent_id, kind: row.kind, note: row.note }]),
  );
}
