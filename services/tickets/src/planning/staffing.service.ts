import { Injectable, NotFoundException } from '@nestjs/common';
import { Channel, DirectoryKind, Priority } from '@firstline/contracts';
import { planStaffing } from '@firstline/planning';
import { findSlaPolicy, type SlaPolicy } from '@firstline/routing';
import { DirectoryRepository } from '../database/directory.repository';
import { kindName } from '../directory/directory.service';
import { TeamCalendars } from '../directory/team-calendars';
import { channelName } from '../tickets/ticket';
import type { StaffingPlanView, StaffingQuery } from './staffing.dto';
import { StaffingRepository } from './staffing.repository';

const WEEK_MS = 7 * 86_400_000;

/**
 * The staffing planner for supervisors: the team's tickets of the last weeks, its SLA targets,
 * calendar and presence log, through `planStaffing`.
 */
@Injectable()
export class StaffingService {
  constructor(
    private readonly directory: DirectoryRepository,
    private readonly calendars: TeamCalendars,
    private readonly staffing: StaffingRepository,
  ) {}

  async plan(query: StaffingQuery, now = new Date()): Promise<StaffingPlanView> {
    const team = await this.directory.find(kindName(DirectoryKind.TEAM), query.team);
    if (team?.payload.case !== 'team') throw new NotFoundException(`No team ${query.team}`);
    const from = new Date(now.getTime() - query.weeks * WEEK_MS);
    const [calendarOf, policies, arrivals, presence, presenceLoggedSince] = await Promise.all([
      this.calendars.load(),
      this.slaPolicies(),
      this.staffing.arrivals(query.team, from, now),
      this.staffing.presence(query.team, from, now),
      this.staffing.presenceLoggedSince(),
    ]);
    const channelOf = new Map(arrivals.map((a) => [channelName(a.channel), a.channel]));
    const plan = planStaffing({
      calendar: calendarOf(query.team),
      until: now,
      weeks: query.weeks,
      arrivals: arrivals.map((a) => ({ ...a, channel: channelName(a.channel) })),
      presence,
      targetSecondsOf: (channel) =>
        firstResponseSeconds(policies, query.team, channelOf.get(channel) ?? Channel.UNSPECIFIED),
      serviceLevel: query.serviceLevel / 100,
      shrinkage: query.shrinkage / 100,
      maxOccupancy: query.maxOccupancy / 100,
    });
    return {
      teamId: query.team,
      serviceLevel: query.serviceLevel,
      shrinkage: query.shrinkage,
      maxOccupancy: query.maxOccupancy,
      presenceLoggedSince,
      ...plan,
    };
  }

  private async slaPolicies(): Promise<SlaPolicy[]> {
    const records = await this.directory.list(kindName(DirectoryKind.SLA_POLICY));
    return records.flatMap((record) =>
      record.payload.case === 'slaPolicy' ? [record.payload.value] : [],
    );
  }
}

/**
 * The first-response target a normal-priority conversation of the channel gets in the team: the
 * one most of its traffic is answered against (urgent tickets are few and jump the queue).
 */
function firstResponseSeconds(policies: SlaPolicy[], teamId: string, channel: Channel): number {
  const policy = findSlaPolicy(policies, { teamId, channel, priority: Priority.NORMAL });
  if (!policy) throw new Error(`no SLA policy, not even a default, for channel ${channel}`);
  return policy.firstResponseMinutes * 60;
}
