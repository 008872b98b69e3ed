import { channelWebformService } from '@firstline/channel-webform';
import {
  decode,
  RoutingDecisionSchema,
  TicketDisposition,
  type RoutingDecision,
} from '@firstline/contracts';
import { ticketsService } from '@firstline/tickets';
import { Pipeline, waitFor, type AgentApi } from '@firstline/testing';
import { routerService } from '../src';

interface TicketView {
  ticket: { id: string; number: string; teamId: string; assigneeId: string | null };
  events: Array<{ type: string; actor: { kind: string; id: string } }>;
}

type Answer = { status: 'applied'; assigneeId: string | null; teamId: string };

/**
 * The router is the one authority on assignment (docs/adr/0015): agents' claims, hand-backs and
 * transfers go from the tickets API to the router as commands, and the tickets service changes
 * the ticket only from the router's decision. Router, tickets and the web form on the real broker
 * and Postgres.
 */
describe('claims, hand-backs and transfers are commands to the router', () => {
  let pipeline: Pipeline;
  let ann: AgentApi; // agent of first-line
  let bill: AgentApi; // agent of billing
  let sam: AgentApi; // supervisor of every team
  let ticketId: string;

  beforeAll(async () => {
    pipeline = await Pipeline.start({
      router: routerService,
      tickets: ticketsService,
      channel: channelWebformService,
      channelSettings: (url) => ({ WEBFORM_PUBLIC_URL: url }),
    });
    [ann, bill, sam] = await Promise.all([
      pipeline.login('ann@firstline.example'),
      pipeline.login('bill@firstline.example'),
      pipeline.login('supervisor@firstline.example'),
    ]);
    const form = new FormData();
    form.append('name', 'Rita Customer');
    form.append('email', `rita-${pipeline.run}@example.com`);
    form.append('topic', 'billing');
    form.append('message', 'The invoice shows the wrong amount');
    const submitted = await fetch(`${pipeline.channel.url}/webform/forms/contact/submissions`, {
      method: 'POST',
      headers: { 'idempotency-key': pipeline.run },
      body: form,
    });
    expect(submitted.status).toBe(201);
    ticketId = await waitFor(async () => {
      const rows = await pipeline.databases.tickets
        .pool()
        .query<{ id: string }>(`SELECT id FROM tickets.ticket`);
      return rows.rows[0]?.id;
    }, 30_000);
  }, 120_000);

  afterAll(async () => {
    await pipeline?.stop();
  });

  /** Who the router has the ticket with: its team and assignee in `routing.ticket`. */
  const routerSees = async () =>
    (
      await pipeline.databases.router
        .pool()
        .query<{ team_id: string; assigned_agent_id: string | null }>(
          `SELECT team_id, assigned_agent_id FROM routing.ticket WHERE id = $1`,
          [ticketId],
        )
    ).rows[0];

  /** The REASSIGNED decisions the router announced about the ticket, oldest first. */
  const reassignments = async (): Promise<RoutingDecision[]> =>
    (
      await pipeline.databases.router.pool().query<{ payload: Buffer }>(
        `SELECT payload FROM routing.outbox
            WHERE topic = 'support.routing.v1' AND message_key = $1 ORDER BY id`,
        [ticketId],
      )
    ).rows
      .map((row) => decode(RoutingDecisionSchema, row.payload))
      .filter((decision) => decision.disposition === TicketDisposition.REASSIGNED);

  const view = () => sam.ok<TicketView>('GET', `/tickets/${ticketId}`);

  it('gives the ticket to the agent who claims it, by the router’s decision', async () => {
    const claimed = await ann.call<Answer>('POST', `/tickets/${ticketId}/claim`);
    expect(claimed).toMatchObject({
      status: 200,
      body: { status: 'applied', assigneeId: 'ann', teamId: 'first-line' },
    });
    expect(await routerSees()).toEqual({ team_id: 'first-line', assigned_agent_id: 'ann' });
    const [decision] = await reassignments();
    expect(decision).toMatchObject({
      assignedAgentId: 'ann',
      command: { agentId: 'ann', refusal: '' },
    });
    const assigned = (await view()).events.filter((e) => e.type === 'TICKET_EVENT_TYPE_ASSIGNED');
    expect(assigned.at(-1)?.actor).toMatchObject({ id: 'ann' });
  }, 30_000);

  it('keeps another team’s ticket from an agent outside it (403), unchanged', async () => {
    expect((await bill.call('POST', `/tickets/${ticketId}/claim`)).status).toBe(403);
    expect((await view()).ticket.assigneeId).toBe('ann');
    expect((await routerSees()).assigned_agent_id).toBe('ann');
  }, 30_000);

  it('lets a supervisor take it over, and the agent give it back to the queue', async () => {
    expect(await sam.call('POST', `/tickets/${ticketId}/claim`)).toMatchObject({
      status: 200,
      body: { assigneeId: 'sam' },
    });
    expect((await routerSees()).assigned_agent_id).toBe('sam');

    // Ann no longer has it, so giving it back is not hers to do: the router refuses.
    const refused = await ann.call<{ message: string }>('POST', `/tickets/${ticketId}/unassign`);
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/is assigned to sam/);

    expect(await sam.call('POST', `/tickets/${ticketId}/unassign`)).toMatchObject({
      status: 200,
      body: { status: 'applied', assigneeId: null },
    });
    expect((await routerSees()).assigned_agent_id).toBeNull();
    expect((await view()).ticket.assigneeId).toBeNull();
  }, 30_000);

  it('moves the ticket to another team’s queue on a transfer, in the router and in tickets', async () => {
    await ann.ok('POST', `/tickets/${ticketId}/claim`);
    expect(
      await ann.call('POST', `/tickets/${ticketId}/transfer`, {
        teamId: 'billing',
        note: 'Billing question: wrong amount on the invoice',
      }),
    ).toMatchObject({ status: 200, body: { teamId: 'billing', assigneeId: null } });
    expect(await routerSees()).toEqual({ team_id: 'billing', assigned_agent_id: null });
    const seen = await bill.ok<TicketView>('GET', `/tickets/${ticketId}`);
    expect(seen.ticket).toMatchObject({ teamId: 'billing', assigneeId: null });
    expect(seen.events.slice(-2).map((event) => [event.type, event.actor.id])).toEqual([
      ['TICKET_EVENT_TYPE_TRANSFERRED', 'ann'],
      ['TICKET_EVENT_TYPE_ASSIGNED', 'ann'],
    ]);
    // Every change of hands was a decision of the router's: claim, take-over, refusal,
    // hand-back, claim, transfer.
    expect((await reassignments()).map((decision) => decision.command?.refusal === '')).toEqual([
      true,
      true,
      false,
      true,
      true,
      true,
    ]);
  }, 30_000);
});
