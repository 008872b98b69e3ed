import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { SignedInAgent } from '../auth/auth.service';

/**
 * What a team's supervisors should look at: a low CSAT score, or a ticket whose first-response
 * due time passed unanswered (the router's escalation).
 */
export type NotificationKind = 'low-csat' | 'first-response-breached';

export interface SupervisorNotification {
  /** The id of the TicketEvent that caused it. */
  id: string;
  kind: NotificationKind;
  teamId: string;
  ticketId: string;
  ticketNumber: string;
  score: number | null;
  comment: string;
  createdAt: Date;
}

interface NotificationRow {
  id: string;
  kind: NotificationKind;
  team_id: string;
  ticket_id: string;
  ticket_number: string;
  score: number | null;
  comment: string;
  created_at: Date;
}

const COLUMNS = 'id, kind, team_id, ticket_id, ticket_number, score, comment, created_at';

/** Admins get every team's notifications; supervisors those of the teams they are in. */
export function mayBeNotified(agent: SignedInAgent, teamId: string): boolean {
  return agent.role === 'admin' || (agent.role === 'supervisor' && agent.teamIds.includes(teamId));
}

@Injectable()
export class NotificationRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Written in the transaction of the change that causes them. */
  async insert(manager: EntityManager, notifications: SupervisorNotification[]): Promise<void> {
    if (notifications.length === 0) return;
    await manager.query(
      `INSERT INTO tickets.supervisor_notification (${COLUMNS})
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS n(id text, kind text, team_id text,
         ticket_id text, ticket_number text, score integer, comment text, created_at timestamptz)
       ON CONFLICT (id) DO NOTHING`,
      [
        JSON.stringify(
          notifications.map((n) => ({
            id: n.id,
            kind: n.kind,
            team_id: n.teamId,
            ticket_id: n.ticketId,
            ticket_number: n.ticketNumber,
            score: n.score,
            comment: n.comment,
            created_at: n.createdAt.toISOString(),
          })),
        ),
      ],
    );
  }

  /** The newest notifications of these teams (all teams when `teamIds` is undefined). */
  async list(teamIds: string[] | undefined, limit: number): Promise<SupervisorNotification[]> {
    const rows = await this.dataSource.query<NotificationRow[]>(
      `SELECT ${COLUMNS} FROM tickets.supervisor_notification
       WHERE $1::text[] IS NULL OR team_id = ANY($1::text[])
       ORDER BY created_at DESC, id LIMIT $2`,
      [teamIds ?? null, limit],
    );
    return rows.map(toNotification);
  }

  async findMany(ids: string[]): Promise<SupervisorNotification[]> {
    if (ids.length === 0) return [];
    const rows = await this.dataSource.query<NotificationRow[]>(
      `SELECT ${COLUMNS} FROM tickets.supervisor_notification WHERE id = ANY($1::text[])`,
      [ids],
    );
    return rows.map(toNotification);
  }
}

function toNotification(row: NotificationRow): SupervisorNotification {
  return {
    id: row.id,
    kind: row.kind,
    teamId: row.team_id,
    ticketId: row.ticket_id,
    ticketNumber: row.ticket_number,
    score: row.score,
    comment: row.comment,
    createdAt: new Date(row.created_at),
  };
}
