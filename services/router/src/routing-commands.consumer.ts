import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Consume, type Received } from '@firstline/bus';
import { BadInputError } from '@firstline/errors';
import { TicketDisposition, TOPICS, type RoutingCommand } from '@firstline/contracts';
import { claimMessage, enqueueOutbox, OutboxRelay, write } from '@firstline/persistence';
import { decideCommand, type AssignmentCommand, type ReceivingAgent } from '@firstline/routing';
import {
  assignedAgentsUpdate,
  capacityOf,
  teamsOfAgent,
  TEAM_CHAT_DEFAULTS,
} from './assignment.store';
import { lastAgentsUpdate } from './customers.store';
import { decision, decisionRecord } from './decisions';
import { drainAndAnnounce } from './sweeper';
import { HOLDS_ITS_AGENT, type TicketRow } from './tickets.store';

/**
 * The agents' claims, hand-backs and transfers, which the tickets service forwards: the router is
 * the one authority on assignment (docs/adr/0015). Each command is applied under the ticket's row
 * lock and, for a claim, the claiming agent's, the same locks automatic assignment takes, so a
 * claim and an automatic assignment never both count on one free slot. The answer goes out as a
 * REASSIGNED decision, applied or refused; a ticket back in a queue drains that queue at once.
 */
@Injectable()
export class RoutingCommandsConsumer {
  private readonly logger = new Logger(RoutingCommandsConsumer.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
  ) {}

  @Consume({ topic: TOPICS.routingCommands, check: commandProblem })
  async handle(messages: Array<Received<RoutingCommand>>): Promise<void> {
    const commands = messages.map(({ record, message }) => ({
      messageId: record.headers.messageId,
      command: message,
    }));
    await this.dataSource.transaction(async (manager) => {
      const queued = new Set<string>();
      const now = new Date();
      for (const { messageId, command } of commands) {
        if (!(await claimMessage(manager, 'router.routing-commands', messageId))) continue;
        for (const team of await this.apply(manager, command, now)) queued.add(team);
      }
      await drainAndAnnounce(manager, [...queued], now);
    });
    this.relay.nudge();
  }

  /**
   * Applies one command and announces the outcome. Returns the teams whose queue may move: the
   * one the ticket went back to, and those of the agent it freed.
   */
  private async apply(
    manager: EntityManager,
    command: RoutingCommand,
    now: Date,
  ): Promise<string[]> {
    const [ticket]: TicketRow[] = await manager.query(
      `SELECT * FROM routing.ticket WHERE id = $1 FOR UPDATE`,
      [command.ticketId],
    );
    if (!ticket)
      throw new BadInputError(`command ${command.commandId}: no ticket ${command.ticketId}`);
    const asked = assignmentCommand(command);
    const receiverId =
      asked.kind === 'claim' ? asked.agentId : asked.kind === 'assign' ? asked.assigneeId : '';
    const receiver = receiverId ? await lockReceiver(manager, receiverId, ticket) : undefined;
    const verdict = decideCommand(
      {
        number: ticket.number,
        state: ticket.state,
        teamId: ticket.team_id,
        skillIds: ticket.skill_ids,
        assignedAgentId: ticket.assigned_agent_id,
        priority: ticket.priority,
      },
      asked,
      receiver,
    );
    const outcome = {
      commandId: command.commandId,
      agentId: command.agentId,
      refusal: verdict.applied ? '' : verdict.refusal,
      capacityOverridden: verdict.applied && verdict.capacityOverridden === true,
    };
    if (!verdict.applied) {
      this.logger.log(`command ${command.commandId} refused: ${verdict.refusal}`);
    }
    const after: TicketRow = verdict.applied
      ? {
          ...ticket,
          team_id: verdict.ticket.teamId,
          skill_ids: verdict.ticket.skillIds,
          assigned_agent_id: verdict.ticket.assignedAgentId,
          priority: verdict.ticket.priority,
          queued_at: verdict.queued ? now : ticket.queued_at,
        }
      : ticket;
    if (after !== ticket) {
      await manager.query(
        `UPDATE routing.ticket SET team_id = $2, skill_ids = $3, assigned_agent_id = $4,
                queued_at = $5, priority = $6 WHERE id = $1`,
        [
          after.id,
          after.team_id,
          after.skill_ids,
          after.assigned_agent_id,
          after.queued_at,
          after.priority,
        ],
      );
      if (after.assigned_agent_id && after.assigned_agent_id !== ticket.assigned_agent_id) {
        await write(manager, [
          assignedAgentsUpdate([after.assigned_agent_id], now),
          lastAgentsUpdate(new Map([[after.customer_id, after.assigned_agent_id]])),
        ]);
      }
    }
    await enqueueOutbox(manager, [
      decisionRecord(
        decision(after, { disposition: TicketDisposition.REASSIGNED, now, command: outcome }),
      ),
    ]);
    if (!verdict.applied || after.state !== 'open') return [];
    // Whoever had the ticket before it went to someone else, or back to a queue, has room now.
    const freed =
      ticket.assigned_agent_id !== after.assigned_agent_id ? ticket.assigned_agent_id : null;
    const freedTeams =
      freed && (verdict.queued || asked.kind === 'assign')
        ? await teamsOfAgent(manager, freed)
        : [];
    return [...(verdict.queued ? [after.team_id] : []), ...freedTeams];
  }
}

/**
 * The agent a claim or an assignment gives the ticket to, with their open tickets of its channel,
 * under their row lock: automatic assignment counts their load under the same lock, so the two
 * never count on one free slot. Undefined for an agent the router does not know.
 */
async function lockReceiver(
  manager: EntityManager,
  agentId: string,
  ticket: TicketRow,
): Promise<ReceivingAgent | undefined> {
  const [agent]: Array<{
    active: boolean;
    team_ids: string[];
    capacity: Record<string, number>;
    team_chat_defaults: number[];
  }> = await manager.query(
    `SELECT active, team_ids, capacity, ${TEAM_CHAT_DEFAULTS}
       FROM routing.agent a WHERE id = $1 FOR UPDATE OF a`,
    [agentId],
  );
  if (!agent) return undefined;
  // Counted in a statement after the lock's: only its snapshot sees the previous holder's commit.
  const [{ open }]: Array<{ open: number }> = await manager.query(
    `SELECT count(*)::int AS open FROM routing.ticket
      WHERE ${HOLDS_ITS_AGENT} AND assigned_agent_id = $1 AND channel = $2 AND id <> $3`,
    [agentId, ticket.channel, ticket.id],
  );
  return {
    active: agent.active,
    teamIds: agent.team_ids,
    load: open,
    capacity: capacityOf(agent).get(ticket.channel) ?? 0,
  };
}

function assignmentCommand(command: RoutingCommand): AssignmentCommand {
  const { agentId } = command;
  switch (command.command.case) {
    case 'claim':
      return { kind: 'claim', agentId, takeOver: command.command.value.takeOver };
    case 'unassign':
      return { kind: 'unassign', agentId, releaseOthers: command.command.value.releaseOthers };
    case 'transfer': {
      const { toTeamId, skillIds } = command.command.value;
      return { kind: 'transfer', agentId, toTeamId, skillIds };
    }
    case 'assign': {
      const { assigneeId, overrideCapacity } = command.command.value;
      return { kind: 'assign', agentId, assigneeId, overrideCapacity };
    }
    case 'setPriority':
      return { kind: 'prioritise', agentId, priority: command.command.value.priority };
    default:
      throw new BadInputError(
        `command ${command.commandId} says neither claim, unassign, transfer, assign nor priority`,
      );
  }
}

/** A command must name itself, its ticket and its agent; a transfer, its team. */
function commandProblem(command: RoutingCommand): string | undefined {
  if (!command.commandId || !command.ticketId || !command.agentId) {
    return 'needs a command_id, ticket_id and agent_id';
  }
  if (command.command.case === 'transfer' && !command.command.value.toTeamId) {
    return 'a transfer needs a team';
  }
  if (command.command.case === 'assign' && !command.command.value.assigneeId) {
    return 'an assignment needs an assignee';
  }
  if (command.command.case === 'setPriority' && !command.command.value.priority) {
    return 'a priority change needs a priority';
  }
  return undefined;
}
