import { Priority } from '@firstline/contracts';
import {
  decideCommand,
  type AssignableTicket,
  type AssignmentCommand,
  type ReceivingAgent,
} from '../src';

const ticket = (fields: Partial<AssignableTicket> = {}): AssignableTicket => ({
  number: '10042',
  state: 'open',
  teamId: 'first-line',
  skillIds: ['general'],
  assignedAgentId: null,
  priority: Priority.NORMAL,
  ...fields,
});
const active: ReceivingAgent = { active: true, teamIds: ['first-line'], load: 0, capacity: 3 };

const claim = (agentId: string, takeOver = false): AssignmentCommand => ({
  kind: 'claim',
  agentId,
  takeOver,
});
const unassign = (agentId: string, releaseOthers = false): AssignmentCommand => ({
  kind: 'unassign',
  agentId,
  releaseOthers,
});
const transfer = (toTeamId: string): AssignmentCommand => ({
  kind: 'transfer',
  agentId: 'ann',
  toTeamId,
  skillIds: ['invoices'],
});

describe('decideCommand', () => {
  it.each<[string, AssignableTicket, AssignmentCommand, object]>([
    [
      'an agent takes an unassigned ticket',
      ticket(),
      claim('ann'),
      { applied: true, queued: false, ticket: { assignedAgentId: 'ann' } },
    ],
    [
      'claiming one’s own ticket again changes nothing',
      ticket({ assignedAgentId: 'ann' }),
      claim('ann'),
      { applied: true, queued: false, ticket: { assignedAgentId: 'ann' } },
    ],
    [
      'an agent cannot take a colleague’s ticket',
      ticket({ assignedAgentId: 'bill' }),
      claim('ann'),
      { applied: false, refusal: 'Ticket 10042 is assigned to bill' },
    ],
    [
      'a supervisor takes it over',
      ticket({ assignedAgentId: 'bill' }),
      claim('sam', true),
      { applied: true, ticket: { assignedAgentId: 'sam' } },
    ],
    [
      'a resolved ticket can still be taken (someone follows it up)',
      ticket({ state: 'resolved' }),
      claim('ann'),
      { applied: true, ticket: { assignedAgentId: 'ann' } },
    ],
    [
      'nobody takes a closed ticket',
      ticket({ state: 'closed' }),
      claim('ann'),
      { applied: false, refusal: 'Ticket 10042 is closed' },
    ],
    [
      'an agent gives their ticket back to the queue',
      ticket({ assignedAgentId: 'ann' }),
      unassign('ann'),
      { applied: true, queued: true, ticket: { assignedAgentId: null } },
    ],
    [
      'unassigning an unassigned ticket changes nothing',
      ticket(),
      unassign('ann'),
      { applied: true, queued: false, ticket: { assignedAgentId: null } },
    ],
    [
      'an agent cannot give back a colleague’s ticket',
      ticket({ assignedAgentId: 'bill' }),
      unassign('ann'),
      { applied: false, refusal: 'Ticket 10042 is assigned to bill' },
    ],
    [
      'a supervisor gives back anyone’s ticket',
      ticket({ assignedAgentId: 'bill' }),
      unassign('sam', true),
      { applied: true, queued: true, ticket: { assignedAgentId: null } },
    ],
    [
      'a transfer moves the ticket, unassigned, to the other team’s queue with its skills',
      ticket({ assignedAgentId: 'ann' }),
      transfer('billing'),
      {
        applied: true,
        queued: true,
        ticket: { teamId: 'billing', skillIds: ['invoices'], assignedAgentId: null },
      },
    ],
    [
      'a transfer to the team it is with is refused',
      ticket(),
      transfer('first-line'),
      { applied: false, refusal: 'Ticket 10042 is already with first-line' },
    ],
    [
      'a closed ticket is not transferred',
      ticket({ state: 'closed' }),
      transfer('billing'),
      { applied: false, refusal: 'Ticket 10042 is closed' },
    ],
  ])('%s', (_, before, command, verdict) => {
    expect(decideCommand(before, command, active)).toMatchObject(verdict);
  });

  it('gives no ticket to an agent the router knows to be deactivated', () => {
    expect(decideCommand(ticket(), claim('gone'), { ...active, active: false })).toEqual({
      applied: false,
      refusal: 'Ticket 10042 cannot go to gone, who is deactivated',
    });
  });

  it('takes the word of tickets for an agent whose directory entry has not arrived yet', () => {
    expect(decideCommand(ticket(), claim('new'), undefined)).toMatchObject({
      applied: true,
      ticket: { assignedAgentId: 'new' },
    });
  });
});

describe('decideCommand: a supervisor assigns to a named agent', () => {
  const assign = (assigneeId: string, overrideCapacity = false): AssignmentCommand => ({
    kind: 'assign',
    agentId: 'sam',
    assigneeId,
    overrideCapacity,
  });
  const agent = (fields: Partial<ReceivingAgent> = {}): ReceivingAgent => ({
    active: true,
    teamIds: ['first-line'],
    load: 1,
    capacity: 3,
    ...fields,
  });

  it.each<[string, AssignableTicket, AssignmentCommand, ReceivingAgent | undefined, object]>([
    [
      'an agent with room gets it, taken from whoever had it',
      ticket({ assignedAgentId: 'bob' }),
      assign('ann'),
      agent(),
      {
        applied: true,
        queued: false,
        capacityOverridden: false,
        ticket: { assignedAgentId: 'ann' },
      },
    ],
    [
      'an agent at capacity does not',
      ticket(),
      assign('ann'),
      agent({ load: 3 }),
      {
        applied: false,
        refusal: 'Ticket 10042 cannot go to ann, who is at capacity (3 of 3 open)',
      },
    ],
    [
      'an agent without capacity in the channel does not either',
      ticket(),
      assign('ann'),
      agent({ load: 0, capacity: 0 }),
      {
        applied: false,
        refusal: 'Ticket 10042 cannot go to ann, who is at capacity (0 of 0 open)',
      },
    ],
    [
      'unless the supervisor overrides capacity, which the verdict says',
      ticket(),
      assign('ann', true),
      agent({ load: 3 }),
      { applied: true, capacityOverridden: true, ticket: { assignedAgentId: 'ann' } },
    ],
    [
      'an override with room to spare is no override',
      ticket(),
      assign('ann', true),
      agent(),
      { applied: true, capacityOverridden: false },
    ],
    [
      'an agent of another team does not get it',
      ticket(),
      assign('bill'),
      agent({ teamIds: ['billing'] }),
      { applied: false, refusal: 'Ticket 10042 cannot go to bill, who is not in first-line' },
    ],
    [
      'a deactivated agent does not get it',
      ticket(),
      assign('gone', true),
      agent({ active: false }),
      { applied: false, refusal: 'Ticket 10042 cannot go to gone, who is deactivated' },
    ],
    [
      'nor one the router does not know',
      ticket(),
      assign('new'),
      undefined,
      { applied: false, refusal: 'Ticket 10042 cannot go to new, whom routing does not know' },
    ],
    [
      'a closed ticket goes to nobody',
      ticket({ state: 'closed' }),
      assign('ann'),
      agent(),
      { applied: false, refusal: 'Ticket 10042 is closed' },
    ],
    [
      'assigning it to its assignee changes nothing',
      ticket({ assignedAgentId: 'ann' }),
      assign('ann'),
      agent({ load: 3 }),
      { applied: true, ticket: { assignedAgentId: 'ann' } },
    ],
  ])('%s', (_, before, command, receiver, verdict) => {
    expect(decideCommand(before, command, receiver)).toMatchObject(verdict);
  });
});

describe('decideCommand: a supervisor changes the priority', () => {
  const prioritise = (priority: Priority): AssignmentCommand => ({
    kind: 'prioritise',
    agentId: 'sam',
    priority,
  });

  it('sets it, keeping the assignee and the queue as they are', () => {
    expect(
      decideCommand(ticket({ assignedAgentId: 'ann' }), prioritise(Priority.URGENT)),
    ).toMatchObject({
      applied: true,
      queued: false,
      ticket: { priority: Priority.URGENT, assignedAgentId: 'ann' },
    });
  });

  it('refuses a closed ticket', () => {
    expect(decideCommand(ticket({ state: 'closed' }), prioritise(Priority.HIGH))).toEqual({
      applied: false,
      refusal: 'Ticket 10042 is closed',
    });
  });
});
