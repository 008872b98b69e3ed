import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { CallbackAction, CallbackTask } from '@firstline/ticketing';

interface CallbackRow {
  id: string;
  ticket_id: string;
  phone: string;
  window_starts_at: Date;
  window_ends_at: Date;
  due_at: Date;
  attempts: number;
  last_action: CallbackAction | null;
  done_at: Date | null;
  done_by: string | null;
}

const COLUMNS = `c.id, c.ticket_id, c.phone, c.window_starts_at, c.window_ends_at, c.due_at,
  c.attempts, c.last_action, c.done_at, c.done_by`;

/** A callback request as a decision brings it: the message that asked, on its ticket. */
export type NewCallbackTask = Pick<
  CallbackTask,
  'ticketId' | 'phone' | 'windowStartsAt' | 'windowEndsAt' | 'dueAt'
> & { messageId: string };

/** A callback with the ticket it belongs to, as lists show it. */
export interface ListedCallback extends CallbackTask {
  ticketNumber: string;
  subject: string;
  teamId: string;
  assigneeId: string | null;
  customerName: string;
}

/** SQL of callback tasks: one per callback request, kept with the ticket. */
@Injectable()
export class CallbackRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Stores the tasks of the requests in a decision batch; a request seen before adds nothing. */
  async insertTasks(manager: EntityManager, tasks: NewCallbackTask[]): Promise<void> {
    if (tasks.length === 0) return;
    await manager.query(
      `INSERT INTO tickets.callback_task
         (id, ticket_id, message_id, phone, window_starts_at, window_ends_at, due_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[],
                            $6::timestamptz[], $7::timestamptz[])
       ON CONFLICT (message_id) DO NOTHING`,
      [
        tasks.map(() => randomUUID()),
        tasks.map((task) => task.ticketId),
        tasks.map((task) => task.messageId),
        tasks.map((task) => task.phone),
        tasks.map((task) => task.windowStartsAt),
        tasks.map((task) => task.windowEndsAt),
        tasks.map((task) => task.dueAt),
      ],
    );
  }

  async ticketIdOf(id: string): Promise<string | undefined> {
    const [row] = await this.dataSource.query<Array<{ ticket_id: string }>>(
      `SELECT ticket_id FROM tickets.callback_task WHERE id = $1`,
      [id],
    );
    return row?.ticket_id;
  }

  /** The task, locked; the caller holds its ticket's lock already. */
  async lockTask(manager: EntityManager, id: string): Promise<CallbackTask | undefined> {
    const [row] = await manager.query<CallbackRow[]>(
      `SELECT ${COLUMNS} FROM tickets.callback_task c WHERE c.id = $1 FOR UPDATE`,
      [id],
    );
    return row && toTask(row);
  }

  async updateTask(manager: EntityManager, task: CallbackTask): Promise<void> {
    await manager.query(
      `UPDATE tickets.callback_task
          SET due_at = $2, attempts = $3, last_action = $4, done_at = $5, done_by = $6
        WHERE id = $1`,
      [task.id, task.dueAt, task.attempts, task.lastAction, task.doneAt, task.doneBy],
    );
  }

  async tasksOfTickets(ticketIds: string[]): Promise<CallbackTask[]> {
    if (ticketIds.length === 0) return [];
    const rows = await this.dataSource.query<CallbackRow[]>(
      `SELECT ${COLUMNS} FROM tickets.callback_task c
        WHERE c.ticket_id = ANY($1) ORDER BY c.due_at, c.id`,
      [ticketIds],
    );
    return rows.map(toTask);
  }

  /**
   * Callbacks of these teams' tickets (every team's when `teamIds` is undefined): the open ones
   * by the time they are due, or the done ones, latest first.
   */
  async list(filter: {
    teamIds?: string[];
    done: boolean;
    limit: number;
  }): Promise<ListedCallback[]> {
    const rows = await this.dataSource.query<
      Array<
        CallbackRow & {
          number: string;
          subject: string;
          team_id: string;
          assignee_id: string | null;
          display_name: string;
        }
      >
    >(
      `SELECT ${COLUMNS}, t.number::text AS number, t.subject, t.team_id, t.assignee_id,
              coalesce(cu.display_name, '') AS display_name
         FROM tickets.callback_task c
         JOIN tickets.ticket t ON t.id = c.ticket_id
         LEFT JOIN tickets.customer cu ON cu.id = t.customer_id
        WHERE (c.done_at IS NOT NULL) = $1 AND ($2::text[] IS NULL OR t.team_id = ANY($2))
        ORDER BY ${filter.done ? 'c.done_at DESC' : 'c.due_at'}, c.id
        LIMIT $3`,
      [filter.done, filter.teamIds ?? null, filter.limit],
    );
    return rows.map((row) => ({
      ...toTask(row),
      ticketNumber: row.number,
      subject: row.subject,
      teamId: row.team_id,
      assigneeId: row.assignee_id,
      customerName: row.display_name,
    }));
  }
}

function toTask(row: CallbackRow): CallbackTask {
  return {
    id: row.id,
    ticketId: row.ticket_id,
    phone: row.phone,
    windowStartsAt: row.window_starts_at,
    windowEndsAt: row.window_ends_at,
    dueAt: row.due_at,
    attempts: row.attempts,
    lastAction: row.last_action,
    doneAt: row.done_at,
    doneBy: row.done_by,
  };
}
