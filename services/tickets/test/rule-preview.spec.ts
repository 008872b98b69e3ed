import { channelWebformService } from '@firstline/channel-webform';
import { DirectoryKind } from '@firstline/contracts';
import { routerService } from '@firstline/router';
import { Pipeline, waitFor, type AgentApi } from '@firstline/testing';
import { ticketsService } from '../src';

interface RuleJson {
  id: string;
  name?: string;
  conditions: Array<Record<string, unknown>>;
  actions: { teamId: string; skillIds?: string[]; tags?: string[] };
}

interface RuleSetJson {
  version?: number;
  rules: RuleJson[];
  fallback?: Record<string, unknown>;
}

interface Preview {
  draftRevision: number;
  liveVersion: number;
  messages: number;
  moved: number;
  limited: boolean;
  teams: Array<{ teamId: string; live: number; draft: number }>;
  neverMatched: string[];
  examples: Array<{
    subject: string;
    excerpt: string;
    ticketNumber: string;
    live: { teamId: string; ruleId: string };
    draft: { teamId: string; ruleId: string };
  }>;
}

const parcelRule: RuleJson = {
  id: 'parcel-to-technical',
  conditions: [
    { field: 'RULE_FIELD_TEXT', operator: 'RULE_OPERATOR_CONTAINS_ANY', values: ['parcel'] },
  ],
  actions: { teamId: 'technical' },
};

const vipRule: RuleJson = {
  id: 'vip-tier',
  conditions: [
    { field: 'RULE_FIELD_CUSTOMER_TIER', operator: 'RULE_OPERATOR_EQUALS_ANY', values: ['vip'] },
  ],
  actions: { teamId: 'billing' },
};

/**
 * Issue 21's rule-change preview through the real API, Postgres and broker: customers write
 * through the contact form and the demo's live rules route them; an admin drafts a rule that
 * sends parcels to the technical team, previews it over the stored messages, and publishes it;
 * the router gets the new rules on the directory topic and routes the next parcel with them.
 */
describe('a rule-set draft: preview over stored messages, then publish to the router', () => {
  let pipeline: Pipeline;
  let admin: AgentApi;
  let supervisor: AgentApi;
  let live: RuleSetJson;

  beforeAll(async () => {
    pipeline = await Pipeline.start({
      router: routerService,
      tickets: ticketsService,
      channel: channelWebformService,
      channelSettings: (url) => ({ WEBFORM_PUBLIC_URL: url }),
      withDirectory: true,
    });
    admin = await pipeline.login('admin@firstline.example');
    supervisor = await pipeline.login('supervisor@firstline.example');
    await routerRuleSetVersion(1);
    const [record] = await admin.ok<Array<{ ruleSet: RuleSetJson }>>('GET', '/directory/rule_set');
    live = record!.ruleSet;
  }, 180_000);

  afterAll(async () => {
    await pipeline?.stop();
  });

  const routerRuleSetVersion = (version: number) =>
    waitFor(async () => {
      const { rows } = await pipeline.databases.router
        .pool()
        .query(`SELECT version FROM routing.directory_entry WHERE kind = $1 AND id = 'default'`, [
          DirectoryKind.RULE_SET,
        ]);
      return rows[0]?.version === version;
    }, 30_000);

  let sent = 0;
  const write = async (topic: string, message: string) => {
    sent += 1;
    const response = await fetch(`${pipeline.channel.url}/webform/forms/contact/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `${pipeline.run}-${sent}` },
      body: JSON.stringify({
        name: `Customer ${sent}`,
        email: `customer-${sent}-${pipeline.run}@example.com`,
        topic,
        message,
      }),
    });
    expect(response.status).toBe(201);
  };

  const teamOfTicketSaying = (text: string) =>
    waitFor(async () => {
      const { rows } = await pipeline.databases.tickets.pool().query(
        `SELECT t.team_id FROM tickets.ticket t JOIN tickets.message m ON m.ticket_id = t.id
          WHERE m.text_body LIKE $1`,
        [`%${text}%`],
      );
      return rows[0]?.team_id as string | undefined;
    }, 30_000);

  it('shows what the draft changes, publishes only a previewed draft, and the router uses it', async () => {
    await write('question', 'Where is my parcel?');
    await write('question', 'My parcel is late by a week.');
    await write('question', 'How do I change my address?');
    await write('billing', 'Please send me a copy of the last bill.');
    await write('billing', 'I would like my money back for the parcel.');
    await write('question', 'I was charged twice this month.');
    for (const text of ['Where is my parcel', 'parcel is late', 'change my address']) {
      expect(await teamOfTicketSaying(text)).toBe('first-line');
    }
    for (const text of ['copy of the last bill', 'money back', 'charged twice']) {
      expect(await teamOfTicketSaying(text)).toBe('billing');
    }
    // What the form asked is kept with the message, for rules on it.
    const { rows: stored } = await pipeline.databases.tickets
      .pool()
      .query(`SELECT form_topic, sender FROM tickets.message WHERE text_body LIKE '%money back%'`);
    expect(stored[0]).toMatchObject({
      form_topic: 'billing',
      sender: expect.stringContaining('@example.com'),
    });

    // A draft the router could not evaluate, or naming a team that does not exist, is refused.
    const broken = {
      ...parcelRule,
      conditions: [
        { ...parcelRule.conditions[0], operator: 'RULE_OPERATOR_MATCHES_ANY', values: ['(parcel'] },
      ],
    };
    expect((await admin.call('PUT', '/rules/draft', { ...live, rules: [broken] })).status).toBe(
      400,
    );
    const nowhere = { ...parcelRule, actions: { teamId: 'warehouse' } };
    const refused = await admin.call<{ message: string }>('PUT', '/rules/draft', {
      ...live,
      rules: [nowhere],
    });
    expect(refused).toMatchObject({
      status: 400,
      body: { message: expect.stringContaining('warehouse') },
    });
    expect((await supervisor.call('PUT', '/rules/draft', live)).status).toBe(403);

    const draft = { ...live, rules: [parcelRule, ...live.rules, vipRule] };
    const saved = await admin.ok<{ revision: number; basedOnVersion: number }>(
      'PUT',
      '/rules/draft',
      draft,
    );
    expect(saved).toMatchObject({ revision: 1, basedOnVersion: 1 });
    expect((await admin.call('POST', '/rules/draft/publish')).status).toBe(409);

    const preview = await admin.ok<Preview>('POST', '/rules/draft/preview', { days: 14 });
    expect(preview).toMatchObject({
      draftRevision: 1,
      liveVersion: 1,
      messages: 6,
      moved: 3,
      limited: false,
    });
    expect(preview.teams).toEqual([
      { teamId: 'billing', live: 3, draft: 2 },
      { teamId: 'first-line', live: 3, draft: 1 },
      { teamId: 'technical', live: 0, draft: 3 },
    ]);
    expect(preview.neverMatched).toEqual(
      expect.arrayContaining(['vip-tier', 'technical-topic', 'technical-keywords']),
    );
    expect(preview.neverMatched).not.toContain('billing-topic');
    expect(preview.examples).toHaveLength(3);
    for (const example of preview.examples) {
      expect(example.draft).toEqual({ teamId: 'technical', ruleId: 'parcel-to-technical' });
      expect(example.excerpt).toContain('parcel');
    }
    expect(
      preview.examples
        .map((example) => example.live)
        .sort((a, b) => a.teamId.localeCompare(b.teamId)),
    ).toEqual([
      { teamId: 'billing', ruleId: 'billing-topic' },
      { teamId: 'first-line', ruleId: '' },
      { teamId: 'first-line', ruleId: '' },
    ]);

    // The admin changes the draft after previewing: that preview no longer speaks for it.
    await admin.ok('PUT', '/rules/draft', { ...draft, rules: [parcelRule, ...live.rules] });
    expect((await admin.call('POST', '/rules/draft/publish')).status).toBe(409);
    const again = await admin.ok<Preview>('POST', '/rules/draft/preview', {});
    expect(again).toMatchObject({ draftRevision: 2, moved: 3 });
    expect(again.neverMatched).not.toContain('vip-tier');

    const published = await admin.ok<{ version: number; preview: Preview }>(
      'POST',
      '/rules/draft/publish',
    );
    expect(published).toMatchObject({ version: 2, preview: { draftRevision: 2, moved: 3 } });
    expect((await admin.call('GET', '/rules/draft')).status).toBe(404);

    const history = await admin.ok<
      Array<{ version: number; changedBy: string; rulePreview: Preview | null }>
    >('GET', '/directory/rule_set/default/history');
    expect(history.map((entry) => entry.version)).toEqual([2, 1]);
    expect(history[0]).toMatchObject({ changedBy: 'ada', rulePreview: { moved: 3, messages: 6 } });
    expect(history[1]!.rulePreview).toBeNull();

    // The router receives version 2 over the directory topic and routes the next parcel with it.
    await routerRuleSetVersion(2);
    await write('question', 'A parcel arrived broken.');
    expect(await teamOfTicketSaying('parcel arrived broken')).toBe('technical');
  }, 180_000);

  it('refuses to publish a draft started from rules that changed since', async () => {
    const current = await admin.ok<Array<{ version: number; ruleSet: RuleSetJson }>>(
      'GET',
      '/directory/rule_set',
    );
    await admin.ok('PUT', '/rules/draft', { ...current[0]!.ruleSet, rules: [vipRule] });
    await admin.ok('POST', '/rules/draft/preview', { days: 1 });
    // Someone edits the live rules directly meanwhile.
    await admin.ok('PUT', '/directory/rule_set/default', current[0]!.ruleSet);
    const refused = await admin.call<{ message: string }>('POST', '/rules/draft/publish');
    expect(refused).toMatchObject({
      status: 409,
      body: { message: expect.stringContaining('changed since') },
    });
    await admin.ok('DELETE', '/rules/draft');
    expect((await admin.call('DELETE', '/rules/draft')).status).toBe(404);
  });
});
