import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DirectoryKind } from '@firstline/contracts';
import { ALWAYS_OPEN_CALENDAR, type BusinessCalendar } from '@firstline/routing';
import { DirectoryRepository } from '../database/directory.repository';
import { kindName } from './directory.service';

/** Which business calendar each team's SLA clocks and business-time KPIs run on. */
@Injectable()
export class TeamCalendars {
  constructor(private readonly directory: DirectoryRepository) {}

  /** Every team's calendar; a team without one (or unknown) works around the clock. */
  async load(manager?: EntityManager): Promise<(teamId: string) => BusinessCalendar> {
    const [teams, calendars] = await Promise.all([
      this.directory.list(kindName(DirectoryKind.TEAM), manager),
      this.directory.list(kindName(DirectoryKind.CALENDAR), manager),
    ]);
    const calendarById = new Map<string, BusinessCalendar>();
    for (const record of calendars) {
      if (record.payload.case === 'calendar') calendarById.set(record.id, record.payload.value);
    }
    const calendarIdOf = new Map<string, string>();
    for (const record of teams) {
      if (record.payload.case === 'team')
        calendarIdOf.set(record.id, record.payload.value.calendarId);
    }
    return (teamId) => calendarById.get(calendarIdOf.get(teamId) ?? '') ?? ALWAYS_OPEN_CALENDAR;
  }
}
