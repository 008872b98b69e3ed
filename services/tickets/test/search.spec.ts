import type { AgentApi } from '@firstline/testing';
import { Channel, IdentityKind } from '@firstline/contracts';
import { decision, TicketsUnderTest, waitFor, type RoutingDecision } from './support';

interface SearchResults {
  results: Array<{
    id: string;
    number: string;
    subject: string;
    status: string;
    teamId: string;
    customer: { id: string; name: string };
    matchedBy: string;
    highlight: Array<{ text: string; match: boolean }>;
  }>;
}

/** A customer writing from one identity, with one message. */
function written(
  sender: { kind: IdentityKind; value: string; displayName: string },
  message: {
    subject: string;
    text: string;
    channel?: Channel;
    channelMetadata?: Record<string, string>;
  },
  overrides: Omit<Partial<RoutingDecision>, '$typeName' | '$unknown'> = {},
): RoutingDecision {
  const routed = decision(overrides);
  routed.message!.sender!.kind = sender.kind;
  routed.message!.sender!.value = sender.value;
  routed.message!.sender!.displayName = sender.displayName;
  routed.message!.subject = message.subject;
  routed.message!.textBody = message.text;
  routed.message!.channel = message.channel ?? Channel.EMAIL;
  routed.message!.channelMetadata = message.channelMetadata ?? {};
  return routed;
}

describe('searching tickets by number, customer and words', () => {
  let tickets: TicketsUnderTest;
  let ann: AgentApi; // first line and overflow
  let bill: AgentApi; // billing
  let sam: AgentApi; // supervisor, every team

  const payment = written(
    { kind: IdentityKind.EMAIL, value: 'olga.petrova@example.com', displayName: 'Ольга Петрова' },
    {
      subject: 'Не проходит',
      text: 'Здравствуйте! Не могу внести оплату \uE000картой\uE001, помогите.',
    },
    { teamId: 'billing', ticketNumber: '77001' },
  );
  const refund = written(
    { kind: IdentityKind.EMAIL, value: 'dan.brown@example.org', displayName: 'Dan Brown' },
    { subject: 'Money back', text: 'I asked for a refund last week and nothing happened.' },
    { teamId: 'first-line', ticketNumber: '77002' },
  );
  const refundInSubject = written(
    { kind: IdentityKind.EMAIL, value: 'eve@example.org', displayName: 'Eve Adams' },
    {
      subject: 'Refund for order 77001',
      text: 'Please refund the second payment: I was charged twice. The refund should go to my card.',
    },
    { teamId: 'first-line', ticketNumber: '77003' },
  );
  const callback = written(
    { kind: IdentityKind.WEBFORM_PHONE, value: '+79123456789', displayName: 'Иван Сидоров' },
    { subject: 'Callback', text: 'Перезвоните мне, пожалуйста.', channel: Channel.WEBFORM },
    { teamId: 'first-line', ticketNumber: '77004' },
  );
  const telegram = written(
    { kind: IdentityKind.TELEGRAM_USER, value: '700123456', displayName: 'Kate' },
    {
      subject: '',
      text: 'hello, my parcel is lost',
      channel: Channel.TELEGRAM,
      channelMetadata: { username: 'KateInTown', chat_type: 'private' },
    },
    { teamId: 'first-line', ticketNumber: '77005' },
  );

  beforeAll(async () => {
    tickets = await TicketsUnderTest.start();
    const all = [payment, refund, refundInSubject, callback, telegram];
    await tickets.publishDecisions(all);
    [ann, bill, sam] = await Promise.all([
      tickets.login('ann@firstline.example'),
      tickets.login('bill@firstline.example'),
      tickets.login('supervisor@firstline.example'),
    ]);
    await waitFor(async () => {
      const [{ count }] = await tickets.query<{ count: number }>(
        'SELECT count(*)::int AS count FROM tickets.message WHERE ticket_id = ANY($1)',
        [all.map((routed) => routed.ticketId)],
      );
      return count === all.length || undefined;
    }, 60_000);
  }, 120_000);

  afterAll(() => tickets?.stop());

  const search = (agent: AgentApi, q: string) =>
    agent.ok<SearchResults>('GET', `/search?q=${encodeURIComponent(q)}`);
  const numbersFound = async (agent: AgentApi, q: string) =>
    (await search(agent, q)).results.map((result) => result.number);
  const marked = (highlight: Array<{ text: string; match: boolean }>) =>
    highlight.filter((fragment) => fragment.match).map((fragment) => fragment.text);

  it('finds a ticket by its number, with or without "#", before tickets that mention it', async () => {
    expect(await numbersFound(sam, '#77001')).toEqual(['77001']);
    const { results } = await search(sam, '77001');
    expect(results.map((result) => [result.number, result.matchedBy])).toEqual([
      ['77001', 'number'],
      ['77003', 'text'],
    ]);
    expect(results[0]).toMatchObject({
      id: payment.ticketId,
      status: 'new',
      teamId: 'billing',
      customer: { id: payment.customerId, name: 'Ольга Петрова' },
    });
  });

  it('finds a customer’s tickets by their email address in any letter case, or its start', async () => {
    const { results } = await search(sam, 'Olga.Petrova@Example.com');
    expect(results.map((result) => [result.number, result.matchedBy])).toEqual([
      ['77001', 'email'],
    ]);
    expect(marked(results[0].highlight)).toEqual(['olga.petrova@example.com']);
    expect(await numbersFound(sam, 'olga.petrova@example.org')).toEqual([]);
    expect(await numbersFound(sam, 'dan.brown@')).toEqual(['77002']);
  });

  it('finds a phone number however it is typed, with or without the country code', async () => {
    for (const typed of ['+7 (912) 345-67-89', '79123456789', '912 345 67 89']) {
      const { results } = await search(sam, typed);
      expect(results.map((result) => [result.number, result.matchedBy])).toEqual([
        ['77004', 'phone'],
      ]);
    }
    expect(await numbersFound(sam, '+7 912 000-00-00')).toEqual([]);
  });

  it('finds Russian words in any form: «оплата» finds «оплату», marked in the passage', async () => {
    const { results } = await search(sam, 'оплата');
    expect(results.map((result) => result.number)).toEqual(['77001']);
    expect(marked(results[0].highlight)).toEqual(['оплату']);
    // What the customer wrote cannot pose as a match.
    expect(results[0].highlight.map((fragment) => fragment.text).join('')).toContain(
      'оплату картой, помогите',
    );
  });

  it('finds English words in any form, the ticket that says them most and in its subject first', async () => {
    const { results } = await search(sam, 'refunds');
    expect(results.map((result) => result.number)).toEqual(['77003', '77002']);
    expect(marked(results[1].highlight)).toEqual(['refund']);
    expect(results.every((result) => result.matchedBy === 'text')).toBe(true);
  });

  it('finds customers by name, and Telegram users by @username and id', async () => {
    expect(await numbersFound(sam, 'петров')).toEqual(['77001']);
    expect(await numbersFound(sam, 'Dan Bro')).toEqual(['77002']);
    expect(await numbersFound(sam, '@kateintown')).toEqual(['77005']);
    const { results } = await search(sam, '700123456');
    expect(results.map((result) => [result.number, result.matchedBy])).toEqual([
      ['77005', 'account'],
    ]);
  });

  it('shows an agent only the tickets of their teams', async () => {
    expect(await numbersFound(ann, 'оплата')).toEqual([]);
    expect(await numbersFound(ann, '77001')).toEqual(['77003']);
    expect(await numbersFound(ann, 'olga.petrova@example.com')).toEqual([]);
    expect(await numbersFound(bill, 'оплата')).toEqual(['77001']);
    expect(await numbersFound(bill, 'refund')).toEqual([]);
  });

  it('refuses an empty query and a caller who is not signed in', async () => {
    expect((await ann.call('GET', '/search?q=')).status).toBe(400);
    const response = await fetch(`${tickets.service.url}/api/v1/search?q=refund`);
    expect(response.status).toBe(401);
  });

  it('documents the search and its results in the OpenAPI document', async () => {
    const document = (await (await fetch(`${tickets.service.url}/api/docs-json`)).json()) as {
      paths: Record<string, { get: { responses: Record<string, { content: unknown }> } }>;
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    };
    expect(document.paths['/api/v1/search'].get.responses['200'].content).toEqual({
      'application/json': { schema: { $ref: '#/components/schemas/SearchResultsView' } },
    });
    expect(Object.keys(document.components.schemas.SearchResultView.properties)).toEqual(
      expect.arrayContaining(['number', 'customer', 'teamId', 'status', 'highlight']),
    );
  });
});
