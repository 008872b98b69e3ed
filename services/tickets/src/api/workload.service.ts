import { Injectable } from '@nestjs/common';
import { Channel, DirectoryKind, Presence, type Team } from '@firstline/contracts';
import { agentCapacity, teamChatDefaults } from '@firstline/routing';
import { DirectoryRepository } from '../database/directory.repository';
import { TicketRepository } from '../database/ticket.repository';
import { kindName } from '../directory/directory.service';
import { channelName, enumName } from '../tickets/ticket';
import type { AgentWorkload } from './supervision.dto';

/**
 * Every active agent's presence and load for supervisors: open tickets per channel against the
 * capacity the directory gives them (a team's default chat capacity applied as the router applies
 * it, libs/routing `agentCapacity`). Counted from the tickets' assignees, which are copies of
 * the router's decisions (docs/adr/0015), so this is what routing counted too once they arrived.
 */
@Injectable()
export class WorkloadService {
  constructor(
    private readonly directory: DirectoryRepository,
    private readonly tickets: TicketRepository,
  ) {}

  async workload(teamId?: string): Promise<AgentWorkload[]> {
    const [records, teamRecords, loads] = await Promise.all([
      this.directory.list(kindName(DirectoryKind.AGENT)),
      this.directory.list(kindName(DirectoryKind.TEAM)),
      this.tickets.openTicketsByAgent(),
    ]);
    const teams = new Map(
      teamRecords.flatMap((record): Array<[string, Team]> =>
        record.payload.case === 'team' ? [[record.payload.value.id, record.payload.value]] : [],
      ),
    );
    return records.flatMap((record) => {
      if (record.payload.case !== 'agent') return [];
      const agent = record.payload.value;
      if (!agent.active || (teamId && !agent.teamIds.includes(teamId))) return [];
      const open = new Map(
        loads.filter((load) => load.agentId === agent.id).map((load) => [load.channel, load.open]),
      );
      const capacity = agentCapacity(
        new Map(agent.capacity.map((entry) => [entry.channel, entry.maxConcurrent])),
        teamChatDefaults(agent.teamIds, teams),
      );
      // Every channel the agent may take or holds tickets of, in the channels' order.
      const channels = [...new Set([...capacity.keys(), ...open.keys()])].sort((a, b) => a - b);
      return [
        {
          id: agent.id,
          name: agent.name,
          teamIds: agent.teamIds,
          presence: enumName(Presence, agent.presence || Presence.OFFLINE),
          channels: channels.map((channel: Channel) => ({
            channel: channelName(channel),
            open: open.get(channel) ?? 0,
            capacity: capacity.get(channel) ?? 0,
          })),
        },
      ];
    });
  }
}
