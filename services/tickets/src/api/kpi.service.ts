import { Injectable } from '@nestjs/common';
import { businessDurationMs, type BusinessCalendar } from '@firstline/routing';
import {
  kpiZones,
  type CallbackTask,
  summariseBy,
  type KpiDimension,
  type KpiSummary,
  type KpiTicket,
} from '@firstline/ticketing';
import { CallbackRepository } from '../database/callback.repository';
import { TicketRepository } from '../database/ticket.repository';
import { TeamCalendars } from '../directory/team-calendars';
import { TicketsSettings } from '../tickets-settings';
import { channelName, type Ticket } from '../tickets/ticket';

/** The KPIs, with first response and resolution also in business time (the team's calendar). */
export type KpiSummaryWithBusinessTime = KpiSummary & {
  firstResponseBusinessMs: number | null;
  resolutionBusinessMs: number | null;
};

const COLUMNS: Array<keyof KpiSummaryWithBusinessTime> = [
  'tickets',
  'firstResponseMs',
  'firstResponseBusinessMs',
  'resolutionMs',
  'resolutionBusinessMs',
  'reopenRate',
  'csatAverage',
  'csatSatisfiedShare',
  'csatResponses',
  'slaCompliance',
  'answerPromises',
  'answerPromisesKept',
  'backlog',
  'callbacks',
  'callbacksCompleted',
  'callbacksOnTime',
  'callbackAttempts',
];

/**
 * KPIs of the tickets created in a period, grouped by channel, team, agent, day or week, each
 * with its traffic-light zone from the configured targets.
 */
@Injectable()
export class KpiService {
  constructor(
    private readonly tickets: TicketRepository,
    private readonly calendars: TeamCalendars,
    private readonly settings: TicketsSettings,
    private readonly callbacks: CallbackRepository,
  ) {}

  async kpis(query: { by: KpiDimension; from: Date; to: Date; teamId?: string }, now = new Date()) {
    const [tickets, calendarOf] = await Promise.all([
      this.tickets.ticketsCreatedBetween(query.from, query.to, query.teamId),
      this.calendars.load(),
    ]);
    const callbacksOf = new Map<string, CallbackTask[]>();
    for (const callback of await this.callbacks.tasksOfTickets(tickets.map((t) => t.id))) {
      callbacksOf.set(callback.ticketId, [...(callbacksOf.get(callback.ticketId) ?? []), callback]);
    }
    const promised = await this.tickets.promisedAnswerTimes(tickets.map((t) => t.id));
    const measured = tickets.map((ticket) =>
      kpiTicket(ticket, callbacksOf.get(ticket.id) ?? [], promised.get(ticket.id)),
    );
    const calendarTime = summariseBy(measured, query.by, now);
    // The same tickets on their teams' business clocks: the groups come out in the same order.
    const businessTime = summariseBy(
      measured.map((ticket) => onBusinessClock(ticket, calendarOf(ticket.teamId))),
      query.by,
      now,
    );
    return {
      by: query.by,
      from: query.from,
      to: query.to,
      groups: calendarTime.map(({ key, summary }, index) => ({
        key,
        summary: {
          ...summary,
          firstResponseBusinessMs: businessTime[index].summary.firstResponseMs,
          resolutionBusinessMs: businessTime[index].summary.resolutionMs,
        } satisfies KpiSummaryWithBusinessTime,
        // Traffic lights on calendar time: what the customer waited.
        zones: kpiZones(summary, this.settings.kpiTargets),
      })),
    };
  }

  async csv(query: { by: KpiDimension; from: Date; to: Date; teamId?: string }): Promise<string> {
    const { by, groups } = await this.kpis(query);
    const lines = groups.map(({ key, summary }) =>
      [csvField(key), ...COLUMNS.map((column) => summary[column] ?? '')].join(','),
    );
    return [[by, ...COLUMNS].join(','), ...lines].join('\n') + '\n';
  }
}

/**
 * A ticket whose first response and resolution are as long after its creation as the working
 * time between them in the calendar: its means then are business-time means.
 */
export function onBusinessClock(ticket: KpiTicket, calendar: BusinessCalendar): KpiTicket {
  const after = (until: Date | undefined) =>
    until &&
    new Date(ticket.createdAt.getTime() + businessDurationMs(calendar, ticket.createdAt, until));
  return {
    ...ticket,
    firstRespondedAt: after(ticket.firstRespondedAt),
    resolvedAt: after(ticket.resolvedAt),
  };
}

function kpiTicket(ticket: Ticket, callbacks: CallbackTask[], promisedAnswerAt?: Date): KpiTicket {
  return {
    channel: channelName(ticket.channel),
    teamId: ticket.teamId,
    agentId: ticket.assigneeId ?? undefined,
    status: ticket.status,
    createdAt: ticket.createdAt,
    firstRespondedAt: ticket.firstRespondedAt ?? undefined,
    resolvedAt: ticket.resolvedAt ?? ticket.closedAt ?? undefined,
    reopenCount: ticket.reopenCount,
    firstResponseDueAt: ticket.firstResponseDueAt ?? undefined,
    resolutionDueAt: ticket.resolutionDueAt ?? undefined,
    promisedAnswerAt,
    csatScore: ticket.csatScore ?? undefined,
    callbacks,
  };
}

function csvField(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
