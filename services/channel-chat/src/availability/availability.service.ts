import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { availability, type Availability, type ChatSite } from '@firstline/chat';
import type { BusinessCalendar } from '@firstline/routing';
import { SCHEMA } from '../migrations';

/**
 * Whether a site's chat can start now, from the service's copy of the directory: its team's
 * working hours (the team's business calendar) and whether anyone of the team is online.
 */
@Injectable()
export class AvailabilityService {
  constructor(private readonly dataSource: DataSource) {}

  async of(site: ChatSite, now = new Date()): Promise<Availability> {
    if (!site.team) return { state: 'open' };
    const [row] = await this.dataSource.query<
      Array<{ calendar: BusinessCalendar | null; online: string }>
    >(
      `SELECT
         (SELECT c.calendar FROM ${SCHEMA}.team t JOIN ${SCHEMA}.calendar c USING (calendar_id)
          WHERE t.team_id = $1) AS calendar,
         (SELECT count(*) FROM ${SCHEMA}.agent WHERE online AND team_ids @> ARRAY[$1]) AS online`,
      [site.team],
    );
    return availability(
      { calendar: row?.calendar ?? undefined, agentsOnline: Number(row?.online ?? 0) },
      now,
    );
  }
}
