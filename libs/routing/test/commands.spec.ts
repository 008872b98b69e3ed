import { decideCommand, type AssignableTicket, type AssignmentCommand } from '../src';

const ticket = (fields: Partial<AssignableTicket> = {}): AssignableTicket => ({
  number: '10042',
  state: 'open',
  teamId: 'first-line',
  skillIds: ['general'],
  assignedAgentId: null,
  ...fields,
});
const active = { active: true };

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
    expect(decideCommand(ticket(), claim('gone'), { active: false })).toEqual({
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
