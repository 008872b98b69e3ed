import { Injectable } from '@nestjs/common';
import {
  summariseBy,
  type KpiDimension,
  type KpiSummary,
  type KpiTicket,
} from '@firstline/ticketing';
import { TicketRepository } from '../database/ticket.repository';
import { channelName, type Ticket } from '../tickets/ticket';

const COLUMNS: Array<keyof KpiSummary> = [
  'tickets',
  'firstResponseMs',
  'resolutionMs',
  'reopenRate',
  'csatAverage',
  'csatSatisfiedShare',
  'csatResponses',
  'slaCompliance',
  'backlog',
];

/** KPIs of the tickets created in a period, grouped by channel, team, agent, day or week. */
@Injectable()
export class KpiService {
  constructor(private readonly tickets: TicketRepository) {}

  async kpis(query: { by: KpiDimension; from: Date; to: Date; teamId?: string }, now = new Date()) {
    const tickets = await this.tickets.ticketsCreatedBetween(query.from, query.to, query.teamId);
    return {
      by: query.by,
      from: query.from,
      to: query.to,
      groups: summariseBy(tickets.map(kpiTicket), query.by, now),
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

function kpiTicket(ticket: Ticket): KpiTicket {
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
    csatScore: ticket.csatScore ?? undefined,
  };
}

function csvField(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
