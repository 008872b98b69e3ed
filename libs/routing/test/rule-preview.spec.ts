import { Channel, Priority, RuleField, RuleOperator } from '@firstline/contracts';
import {
  RuleSetReplay,
  ruleSetProblem,
  type ClassificationInput,
  type Rule,
  type RuleSet,
} from '../src';

const rule = (id: string, teamId: string, field: RuleField, values: string[]): Rule => ({
  id,
  conditions: [{ field, operator: RuleOperator.EQUALS_ANY, key: '', values, negate: false }],
  actions: { teamId, skillIds: [], priority: Priority.UNSPECIFIED, tags: [] },
});

const fallback = { teamId: 'first-line', skillIds: [], priority: Priority.NORMAL, tags: [] };

const live: RuleSet = {
  version: 3,
  rules: [rule('billing-topic', 'billing', RuleField.FORM_TOPIC, ['billing'])],
  fallback,
};

const message = (id: string, input: Partial<ClassificationInput>) => ({
  messageId: id,
  ticketId: `ticket-${id}`,
  ticketNumber: id.replace(/\D/g, ''),
  input: {
    channel: Channel.WEBFORM,
    subject: `Subject ${id}`,
    textBody: `Text of ${id}`,
    formFields: {},
    channelMetadata: {},
    senderValue: `${id}@example.com`,
    language: 'en',
    customerTier: '',
    customerTags: [],
    receivedAt: new Date('2026-11-20T10:00:00Z'),
    ...input,
  },
});

const replay = (draft: RuleSet, messages: ReturnType<typeof message>[], examples = 10) => {
  const comparison = new RuleSetReplay(live, draft, examples);
  for (const each of messages) comparison.add(each);
  return comparison.result();
};

describe('replaying stored messages through the live and a draft rule set', () => {
  const traffic = [
    message('m1', { formTopic: 'billing' }),
    message('m2', { formTopic: 'billing', customerTier: 'vip' }),
    message('m3', { customerTier: 'vip' }),
    message('m4', {}),
  ];

  it('counts the same messages per team on both sides when the draft is the live set', () => {
    const result = replay(live, traffic);
    expect(result).toMatchObject({ messages: 4, moved: 0, examples: [], neverMatched: [] });
    expect(result.teams).toEqual([
      { teamId: 'billing', live: 2, draft: 2 },
      { teamId: 'first-line', live: 2, draft: 2 },
    ]);
  });

  it('a VIP rule put first moves VIP customers to its team, with the rule that moved them', () => {
    const draft: RuleSet = {
      ...live,
      rules: [rule('vip', 'vip-desk', RuleField.CUSTOMER_TIER, ['vip']), ...live.rules],
    };
    const result = replay(draft, traffic);
    expect(result.moved).toBe(2);
    expect(result.teams).toEqual([
      { teamId: 'billing', live: 2, draft: 1 },
      { teamId: 'first-line', live: 2, draft: 1 },
      { teamId: 'vip-desk', live: 0, draft: 2 },
    ]);
    expect(result.draftRules).toEqual([
      { ruleId: 'vip', messages: 2 },
      { ruleId: 'billing-topic', messages: 1 },
    ]);
    expect(
      result.examples.map(({ messageId, live: from, draft: to }) => [messageId, from, to]),
    ).toEqual([
      ['m2', { teamId: 'billing', ruleId: 'billing-topic' }, { teamId: 'vip-desk', ruleId: 'vip' }],
      ['m3', { teamId: 'first-line', ruleId: '' }, { teamId: 'vip-desk', ruleId: 'vip' }],
    ]);
  });

  it('names the draft rules that decide no message, also those an earlier rule shadows', () => {
    const draft: RuleSet = {
      ...live,
      rules: [
        ...live.rules,
        rule('billing-again', 'billing', RuleField.FORM_TOPIC, ['billing']),
        rule('never', 'billing', RuleField.CUSTOMER_TIER, ['platinum']),
      ],
    };
    const result = replay(draft, traffic);
    expect(result.neverMatched).toEqual(['billing-again', 'never']);
    expect(result.moved).toBe(0);
  });

  it('shows every kind of move before a second example of any, up to the limit', () => {
    const draft: RuleSet = {
      version: 3,
      rules: [rule('all-vip', 'vip-desk', RuleField.CUSTOMER_TIER, ['vip'])],
      fallback: { ...fallback, teamId: 'general' },
    };
    const many = [
      ...Array.from({ length: 5 }, (_, index) => message(`b${index}`, { formTopic: 'billing' })),
      message('v1', { customerTier: 'vip' }),
      message('p1', {}),
    ];
    const result = replay(draft, many, 3);
    expect(result.moved).toBe(7);
    expect(result.examples.map((example) => example.messageId)).toEqual(['b0', 'v1', 'p1']);
  });

  it('keeps a short excerpt of long texts, on one line', () => {
    const draft: RuleSet = { ...live, rules: [], fallback: { ...fallback, teamId: 'general' } };
    const result = replay(draft, [message('m9', { textBody: `Hello\n\n${'word '.repeat(80)}` })]);
    const [example] = result.examples;
    expect(example!.excerpt.startsWith('Hello word word')).toBe(true);
    expect(example!.excerpt.length).toBe(160);
    expect(example!.excerpt.endsWith('…')).toBe(true);
  });
});

describe('what makes a rule set unusable', () => {
  const withCondition = (field: RuleField, operator: RuleOperator, values: string[], key = '') => ({
    rules: [
      {
        ...rule('r1', 'billing', field, values),
        conditions: [{ field, operator, key, values, negate: false }],
      },
    ],
  });

  it.each([
    [{ rules: [rule('', 'billing', RuleField.FORM_TOPIC, ['x'])] }, 'rules[0]: a rule needs an id'],
    [
      {
        rules: [
          rule('a', 'x', RuleField.FORM_TOPIC, ['x']),
          rule('a', 'y', RuleField.FORM_TOPIC, ['y']),
        ],
      },
      'rules[1]: the id a is used twice',
    ],
    [withCondition(RuleField.TEXT, RuleOperator.MATCHES_ANY, ['(unclosed']), 'does not compile'],
    [withCondition(RuleField.LOCAL_TIME, RuleOperator.WITHIN_ANY, ['9-18']), 'is not HH:MM-HH:MM'],
    [
      withCondition(RuleField.LOCAL_TIME, RuleOperator.WITHIN_ANY, ['09:00-18:00'], 'Mars/Olympus'),
      'the time zone Mars/Olympus is unknown',
    ],
    [withCondition(RuleField.TEXT, RuleOperator.CONTAINS_ANY, []), 'at least one value'],
    [withCondition(RuleField.UNSPECIFIED, RuleOperator.CONTAINS_ANY, ['x']), 'needs a field'],
  ])('refuses it (case %#)', (ruleSet, problem) => {
    expect(ruleSetProblem(ruleSet)).toContain(problem);
  });

  it('passes a rule set the router can evaluate', () => {
    expect(ruleSetProblem(live)).toBeUndefined();
    expect(
      ruleSetProblem(
        withCondition(
          RuleField.LOCAL_TIME,
          RuleOperator.WITHIN_ANY,
          ['22:00-06:00'],
          'Europe/Moscow',
        ),
      ),
    ).toBeUndefined();
  });
});
