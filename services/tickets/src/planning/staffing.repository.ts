import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Channel, TicketEventType } from '@firstline/contracts';
import type { PresenceChange } from '@firstline/planning';

/** A conversation of the team in the window, with the agent time until its first response. */
export interface TeamArrival {
  channel: Channel;
  at: Date;
  handlingSeconds?: number;
}

/** SQL of what the staffing planner reads: the team's tickets and its agents' presence log. */
@Injectable()
export class StaffingRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Logs an agent entry as saved: online (active and present) or not, in which teams. */
  async recordPresence(
    manager: EntityManager,
    agent: { agentId: string; online: boolean; teamIds: string[]; at: Date },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO tickets.agent_presence_change (agent_id, online, team_ids, changed_at)
       VALUES ($1, $2, $3, $4)`,
      [agent.agentId, agent.online, agent.teamIds, agent.at],
    );
  }

  /**
   * The tickets the team got in [from, until). Handling time: from the last assignment before the
   * first response (or the ticket's creation, when it was never assigned before it) to the first
   * response — the time an agent held it until answering.
   */
  async arrivals(teamId: string, from: Date, until: Date): Promise<TeamArrival[]> {
    const rows = await this.dataSource.query<
      Array<{ channel: Channel; created_at: Date; handling_seconds: string | null }>
    >(
      `SELECT t.channel, t.created_at,
              EXTRACT(EPOCH FROM t.first_responded_at
                - GREATEST(t.created_at, COALESCE(assigned.at, t.created_at))) AS handling_seconds
         FROM tickets.ticket t
         LEFT JOIN LATERAL (
           SELECT max(e.occurred_at) AS at FROM tickets.ticket_event e
            WHERE e.ticket_id = t.id AND e.type = $4 AND e.occurred_at <= t.first_responded_at
         ) assigned ON true
        WHERE t.team_id = $1 AND t.created_at >= $2 AND t.created_at < $3`,
      [teamId, from, until, TicketEventType[TicketEventType.ASSIGNED]],
    );
    return rows.map((row) => ({
      channel: row.channel,
      at: new Date(row.created_at),
      ...(row.handling_seconds === null ? {} : { handlingSeconds: Number(row.handling_seconds) }),
    }));
  }

  /**
   * Whether each agent who was ever in the team was online in it: the changes in [from, until)
   * and each agent's last one before `from`, their state when the window opens.
   */
  async presence(teamId: string, from: Date, until: Date): Promise<PresenceChange[]> {
    const rows = await this.dataSource.query<
      Array<{ agent_id: string; changed_at: Date; online: boolean }>
    >(
      `WITH members AS (
         SELECT DISTINCT agent_id FROM tickets.agent_presence_change WHERE $1 = ANY (team_ids)
       ), before_window AS (
         SELECT DISTINCT ON (agent_id) seq, agent_id, changed_at, online, team_ids
           FROM tickets.agent_presence_change
          WHERE agent_id IN (SELECT agent_id FROM members) AND changed_at < $2
          ORDER BY agent_id, changed_at DESC, seq DESC
       )
       SELECT agent_id, changed_at, online AND $1 = ANY (team_ids) AS online
         FROM (
           SELECT seq, agent_id, changed_at, online, team_ids FROM tickets.agent_presence_change
            WHERE agent_id IN (SELECT agent_id FROM members)
              AND changed_at >= $2 AND changed_at < $3
           UNION ALL
           SELECT * FROM before_window
         ) changes
        ORDER BY agent_id, changed_at, seq`,
      [teamId, from, until],
    );
    return rows.map((row) => ({
      agentId: row.agent_id,
      at: new Date(row.changed_at),
      online: row.online,
    }));
  }

  /** When the presence log begins: before it, nobody counts as online. */
  async presenceLoggedSince(): Promise<Date | null> {
    const rows = await this.dataSource.query<Array<{ since: Date | null }>>(
      'SELECT min(changed_at) AS since FROM tickets.agent_presence_change',
    );
    return rows[0]?.since ? new Date(rows[0].since) : null;
  }
}
