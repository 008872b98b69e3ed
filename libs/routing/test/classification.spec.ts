import { Channel, Priority, RuleField, RuleOperator } from '@firstline/contracts';
import {
  classify,
  DEFAULT_RULE_SET,
  detectLanguage,
  type ClassificationInput,
  type RuleCondition,
  type RuleSet,
} from '../src';

const when = (
  field: RuleField,
  operator: RuleOperator,
  values: string[],
  extra: Partial<RuleCondition> = {},
): RuleCondition => ({ field, operator, values, key: '', negate: false, ...extra });

const toTeam = (
  teamId: string,
  extra: { skillIds?: string[]; priority?: Priority; tags?: string[] } = {},
) => ({
  teamId,
  skillIds: extra.skillIds ?? [],
  priority: extra.priority ?? Priority.UNSPECIFIED,
  tags: extra.tags ?? [],
});

const rules: RuleSet = {
  version: 7,
  rules: [
    {
      id: 'vip-outage',
      conditions: [
        when(RuleField.CUSTOMER_TIER, RuleOperator.EQUALS_ANY, ['VIP']),
        when(RuleField.TEXT, RuleOperator.CONTAINS_ANY, ['down', 'не работает']),
      ],
      actions: toTeam('escalations', { priority: Priority.URGENT, tags: ['outage'] }),
    },
    {
      id: 'billing-form',
      conditions: [when(RuleField.FORM_TOPIC, RuleOperator.EQUALS_ANY, ['billing'])],
      actions: toTeam('billing', { skillIds: ['billing'] }),
    },
    {
      id: 'invoice-number',
      conditions: [when(RuleField.TEXT, RuleOperator.MATCHES_ANY, ['INV-\\d{6}'])],
      actions: toTeam('billing', { skillIds: ['billing', 'invoices'] }),
    },
    {
      id: 'enterprise-plan-field',
      conditions: [
        when(RuleField.FORM_FIELD, RuleOperator.EQUALS_ANY, ['enterprise'], { key: 'plan' }),
      ],
      actions: toTeam('enterprise'),
    },
    {
      id: 'partner-domain',
      conditions: [when(RuleField.SENDER, RuleOperator.ENDS_WITH_ANY, ['@partner.example'])],
      actions: toTeam('partners'),
    },
    {
      id: 'tagged-reseller',
      conditions: [when(RuleField.CUSTOMER_TAG, RuleOperator.EQUALS_ANY, ['reseller'])],
      actions: toTeam('partners', { tags: ['reseller'] }),
    },
    {
      id: 'moscow-night',
      conditions: [
        when(RuleField.LOCAL_TIME, RuleOperator.WITHIN_ANY, ['22:00-07:00'], {
          key: 'Europe/Moscow',
        }),
      ],
      actions: toTeam('night-shift'),
    },
    {
      id: 'russian-chat',
      conditions: [
        when(RuleField.LANGUAGE, RuleOperator.EQUALS_ANY, ['ru']),
        when(RuleField.CHANNEL, RuleOperator.EQUALS_ANY, ['CHANNEL_EMAIL'], { negate: true }),
      ],
      actions: toTeam('first-line-ru', { skillIds: ['russian'] }),
    },
  ],
  fallback: toTeam('first-line'),
};

const message = (fields: Partial<ClassificationInput> = {}): ClassificationInput => ({
  channel: Channel.EMAIL,
  subject: 'Question',
  textBody: 'Hello, how do I change my password?',
  formFields: {},
  channelMetadata: {},
  senderValue: 'ann@example.com',
  language: 'en',
  customerTier: 'free',
  customerTags: [],
  receivedAt: new Date('2026-03-02T12:00:00+03:00'),
  ...fields,
});

describe('classify', () => {
  it.each<[string, Partial<ClassificationInput>, string, string]>([
    [
      'a VIP reporting an outage goes to escalations',
      { customerTier: 'vip', textBody: 'Our site is down!' },
      'vip-outage',
      'escalations',
    ],
    [
      'a VIP outage in Russian too',
      { customerTier: 'vip', textBody: 'Ничего не работает', language: 'ru' },
      'vip-outage',
      'escalations',
    ],
    [
      'a keyword matches only as a whole word',
      { customerTier: 'vip', textBody: 'Please download the report' },
      '',
      'first-line',
    ],
    ['all conditions must hold: not VIP', { textBody: 'Our site is down!' }, '', 'first-line'],
    [
      'a web form topic',
      { channel: Channel.WEBFORM, formTopic: 'Billing' },
      'billing-form',
      'billing',
    ],
    [
      'an invoice number pattern in the subject',
      { subject: 'About inv-123456' },
      'invoice-number',
      'billing',
    ],
    [
      'a form field',
      { channel: Channel.WEBFORM, formFields: { plan: 'Enterprise' } },
      'enterprise-plan-field',
      'enterprise',
    ],
    [
      'a missing form field does not match',
      { channel: Channel.WEBFORM, formFields: { name: 'enterprise' } },
      '',
      'first-line',
    ],
    ['a sender domain', { senderValue: 'bob@partner.example' }, 'partner-domain', 'partners'],
    ['a customer tag', { customerTags: ['new', 'reseller'] }, 'tagged-reseller', 'partners'],
    [
      'at night in Moscow',
      { receivedAt: new Date('2026-03-02T23:30:00+03:00') },
      'moscow-night',
      'night-shift',
    ],
    [
      '06:59 is still night',
      { receivedAt: new Date('2026-03-02T06:59:00+03:00') },
      'moscow-night',
      'night-shift',
    ],
    ['07:00 is day', { receivedAt: new Date('2026-03-02T07:00:00+03:00') }, '', 'first-line'],
    [
      'Russian in a chat',
      { channel: Channel.TELEGRAM, language: 'ru' },
      'russian-chat',
      'first-line-ru',
    ],
    ['a negated condition: Russian by email does not match', { language: 'ru' }, '', 'first-line'],
  ])('%s', (_case, fields, ruleId, teamId) => {
    const decision = classify(rules, message(fields));
    expect(decision).toMatchObject({ matchedRuleId: ruleId, teamId, ruleSetVersion: 7 });
  });

  it('returns the actions of the rule that matched, priority defaulting to normal', () => {
    expect(classify(rules, message({ customerTier: 'vip', textBody: 'down' }))).toEqual({
      teamId: 'escalations',
      skillIds: [],
      priority: Priority.URGENT,
      tags: ['outage'],
      matchedRuleId: 'vip-outage',
      ruleSetVersion: 7,
    });
    expect(classify(rules, message({ subject: 'INV-000001' })).priority).toBe(Priority.NORMAL);
  });

  it('takes the first of several matching rules', () => {
    const both = message({
      channel: Channel.WEBFORM,
      formTopic: 'billing',
      customerTags: ['reseller'],
    });
    expect(classify(rules, both).matchedRuleId).toBe('billing-form');
  });

  it('sends everything to the general first line before the directory has rules', () => {
    expect(classify(DEFAULT_RULE_SET, message())).toMatchObject({
      teamId: 'first-line',
      matchedRuleId: '',
      ruleSetVersion: 0,
    });
  });

  it('names a malformed time range', () => {
    const broken: RuleSet = {
      version: 1,
      rules: [
        {
          id: 'r',
          conditions: [when(RuleField.LOCAL_TIME, RuleOperator.WITHIN_ANY, ['late'])],
          actions: toTeam('x'),
        },
      ],
    };
    expect(() => classify(broken, message())).toThrow('malformed time range "late"');
  });
});

describe('detectLanguage', () => {
  it.each([
    ['Hello, my invoice is wrong', 'en'],
    ['Здравствуйте, не приходит счёт', 'ru'],
    ['Не работает API после обновления v2', 'ru'],
    ['Please check order №12345, спасибо', 'en'],
    ['12345 !!!', ''],
  ])('%s → %s', (text, language) => {
    expect(detectLanguage(text)).toBe(language);
  });
});
