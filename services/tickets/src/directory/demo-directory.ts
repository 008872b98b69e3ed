import {
  Channel,
  Presence,
  Priority,
  RuleField,
  RuleOperator,
  Weekday,
  type MessageShape,
  type AgentSchema,
} from '@firstline/contracts';
import type { Role } from '../database/directory.repository';
import type { DirectoryPayload } from './directory.service';

/** Every demo agent signs in with this password (README, "Trying it out"). */
export const DEMO_PASSWORD = 'firstline-demo';

type AgentInit = Omit<MessageShape<typeof AgentSchema>, '$typeName' | 'skills' | 'capacity'> & {
  skills: Array<{ skillId: string; level: number }>;
};

/**
 * Live chats at once per agent, set once per team (the agents name no chat capacity of their
 * own): a chat wants answers within seconds, so fewer than tickets.
 */
const CHAT_CAPACITY = 3;

const allChannels = (maxConcurrent: number) =>
  [Channel.EMAIL, Channel.TELEGRAM, Channel.VK, Channel.OK, Channel.WEBFORM].map((channel) => ({
    channel,
    maxConcurrent,
  }));

const agent = (init: Omit<AgentInit, 'presence' | 'active' | 'languages'>): DirectoryPayload => ({
  case: 'agent',
  value: {
    $typeName: 'firstline.v1.Agent',
    ...init,
    skills: init.skills.map((skill) => ({ $typeName: 'firstline.v1.AgentSkill', ...skill })),
    capacity: allChannels(5).map((capacity) => ({
      $typeName: 'firstline.v1.ChannelCapacity',
      ...capacity,
    })),
    presence: Presence.OFFLINE,
    languages: ['en'],
    active: true,
  },
});

/** Agents with their sign-in email and role. */
export const DEMO_AGENTS: Array<{
  id: string;
  email: string;
  role: Role;
  payload: DirectoryPayload;
}> = [
  {
    id: 'ada',
    email: 'admin@firstline.example',
    role: 'admin',
    payload: agent({
      id: 'ada',
      name: 'Ada Admin',
      email: 'admin@firstline.example',
      teamIds: ['first-line', 'billing', 'technical', 'overflow'],
      skills: [],
    }),
  },
  {
    id: 'sam',
    email: 'supervisor@firstline.example',
    role: 'supervisor',
    payload: agent({
      id: 'sam',
      name: 'Sam Supervisor',
      email: 'supervisor@firstline.example',
      teamIds: ['first-line', 'billing', 'technical', 'overflow'],
      skills: [{ skillId: 'general', level: 5 }],
    }),
  },
  {
    id: 'ann',
    email: 'ann@firstline.example',
    role: 'agent',
    payload: agent({
      id: 'ann',
      name: 'Ann First',
      email: 'ann@firstline.example',
      teamIds: ['first-line', 'overflow'],
      skills: [{ skillId: 'general', level: 4 }],
    }),
  },
  {
    id: 'bill',
    email: 'bill@firstline.example',
    role: 'agent',
    payload: agent({
      id: 'bill',
      name: 'Bill Payne',
      email: 'bill@firstline.example',
      teamIds: ['billing'],
      skills: [{ skillId: 'billing', level: 5 }],
    }),
  },
  {
    id: 'tess',
    email: 'tess@firstline.example',
    role: 'agent',
    payload: agent({
      id: 'tess',
      name: 'Tess Tech',
      email: 'tess@firstline.example',
      teamIds: ['technical'],
      skills: [{ skillId: 'technical', level: 5 }],
    }),
  },
];

const team = (
  id: string,
  name: string,
  skillIds: string[],
  overflow?: { teamId: string; afterMinutes: number },
): [string, DirectoryPayload] => [
  id,
  {
    case: 'team',
    value: {
      $typeName: 'firstline.v1.Team',
      id,
      name,
      skillIds,
      calendarId: 'office',
      overflowTeamId: overflow?.teamId ?? '',
      overflowAfterSeconds: (overflow?.afterMinutes ?? 0) * 60,
      defaultChatCapacity: CHAT_CAPACITY,
    },
  },
];

const skill = (id: string, name: string, description: string): [string, DirectoryPayload] => [
  id,
  { case: 'skill', value: { $typeName: 'firstline.v1.Skill', id, name, description } },
];

/**
 * Targets by channel, because customers expect different speeds: an answer within a minute in a
 * messenger, within the hour on a web form, within a working day and a half by email. Every
 * policy counts the team's working hours (out of hours, the customer gets the notice instead).
 */
const sla = (
  id: string,
  name: string,
  channel: Channel,
  firstResponseMinutes: number,
  resolutionMinutes: number,
): [string, DirectoryPayload] => [
  id,
  {
    case: 'slaPolicy',
    value: {
      $typeName: 'firstline.v1.SlaPolicy',
      id,
      name,
      teamId: '',
      channel,
      priority: Priority.UNSPECIFIED,
      firstResponseMinutes,
      resolutionMinutes,
      businessTime: true,
    },
  },
];

/** Chat channels. */
const MESSENGERS: Array<[Channel, string]> = [
  [Channel.TELEGRAM, 'Telegram'],
  [Channel.VK, 'VK'],
  [Channel.OK, 'OK'],
  [Channel.CHAT, 'Live chat'],
];

/** Sends what a condition matches to a specialist team, tagged with the team's skill. */
const rule = (
  id: string,
  name: string,
  condition: { field: RuleField; operator: RuleOperator; values: string[] },
  teamId: string,
) => ({
  $typeName: 'firstline.v1.Rule' as const,
  id,
  name,
  conditions: [
    { $typeName: 'firstline.v1.RuleCondition' as const, key: '', negate: false, ...condition },
  ],
  actions: {
    $typeName: 'firstline.v1.RuleActions' as const,
    teamId,
    skillIds: [teamId],
    priority: Priority.UNSPECIFIED,
    tags: [teamId],
  },
});

const topic = (value: string) => ({
  field: RuleField.FORM_TOPIC,
  operator: RuleOperator.EQUALS_ANY,
  values: [value],
});

/** English keywords are matched as whole words or phrases. */
const words = (...values: string[]) => ({
  field: RuleField.TEXT,
  operator: RuleOperator.CONTAINS_ANY,
  values,
});

/**
 * Russian words change their endings («оплата», «оплату», «оплатил»), so they are matched as
 * patterns of a word's start; `(?<!\p{L})` keeps a pattern from matching inside another word.
 */
const patterns = (...values: string[]) => ({
  field: RuleField.TEXT,
  operator: RuleOperator.MATCHES_ANY,
  values: values.map((pattern) => String.raw`(?<!\p{L})` + pattern),
});

const cannedReply = (id: string, title: string, body: string): [string, DirectoryPayload] => [
  id,
  {
    case: 'cannedReply',
    value: { $typeName: 'firstline.v1.CannedReply', id, title, body, teamId: '', language: 'en' },
  },
];

/** The demo directory: a first line, two specialist teams and an overflow team. */
export const DEMO_ENTRIES: Array<[string, DirectoryPayload]> = [
  skill('general', 'General questions', 'Accounts, how-to, everything else'),
  skill('billing', 'Billing', 'Invoices, payments, refunds'),
  skill('technical', 'Technical', 'Errors, outages, integrations'),
  [
    'office',
    {
      case: 'calendar',
      value: {
        $typeName: 'firstline.v1.Calendar',
        id: 'office',
        name: 'Office hours, Mon–Fri 9–18',
        timeZone: 'Europe/Berlin',
        weeklyHours: [
          Weekday.MONDAY,
          Weekday.TUESDAY,
          Weekday.WEDNESDAY,
          Weekday.THURSDAY,
          Weekday.FRIDAY,
        ].map((weekday) => ({
          $typeName: 'firstline.v1.WeeklyHours',
          weekday,
          openMinute: 540,
          closeMinute: 1080,
        })),
        holidays: [],
        specialWorkingDays: [],
      },
    },
  ],
  team('first-line', 'First line', ['general'], { teamId: 'overflow', afterMinutes: 15 }),
  team('billing', 'Billing', ['billing']),
  team('technical', 'Technical', ['technical']),
  team('overflow', 'Overflow', ['general']),
  ...MESSENGERS.map(([channel, name]) =>
    sla(
      `messenger-${Channel[channel].toLowerCase()}`,
      `${name}: within a minute`,
      channel,
      1,
      8 * 60,
    ),
  ),
  sla('web-form', 'Web form: within the hour', Channel.WEBFORM, 60, 16 * 60),
  sla('email', 'Email: within 12 working hours', Channel.EMAIL, 12 * 60, 40 * 60),
  [
    'default',
    {
      case: 'ruleSet',
      value: {
        $typeName: 'firstline.v1.RuleSet',
        version: 1,
        // First match wins: the topic a customer chose on the contact form, then keywords.
        rules: [
          rule('billing-topic', 'Contact form: billing and payments', topic('billing'), 'billing'),
          rule(
            'technical-topic',
            'Contact form: something does not work',
            topic('bug'),
            'technical',
          ),
          rule(
            'billing-keywords',
            'Money matters',
            words(
              'invoice',
              'invoices',
              'refund',
              'refunds',
              'payment',
              'payments',
              'charged',
              'billing',
              'receipt',
            ),
            'billing',
          ),
          rule(
            'billing-keywords-ru',
            'Деньги и счета',
            patterns(
              'оплат',
              'плат[её]ж',
              String.raw`сч[её]т(?:а|у|ом|е|ов|ам|ами|ах)?(?!\p{L})`,
              'возврат',
              String.raw`списа(?:ли|ло|ние|ния|но)(?!\p{L})`,
              String.raw`(?:деньг|денег(?!\p{L}))`,
              String.raw`чек(?:а|и|ов|у)?(?!\p{L})`,
            ),
            'billing',
          ),
          rule(
            'technical-keywords',
            'Something broke',
            words(
              'error',
              'errors',
              'crash',
              'crashes',
              'crashed',
              'bug',
              'not working',
              'does not work',
              "doesn't work",
              'broken',
              'cannot log in',
              "can't log in",
            ),
            'technical',
          ),
          rule(
            'technical-keywords-ru',
            'Что-то сломалось',
            patterns(
              'ошибк',
              'не (?:работа|открыва|загружа|гружит|запуска|могу (?:войти|зайти))',
              'слома',
              String.raw`завис(?:ает|ают|ло|ла|ли)?(?!\p{L})`,
              'вылета',
              String.raw`баг(?:и|а|ов|у)?(?!\p{L})`,
            ),
            'technical',
          ),
        ],
        fallback: {
          $typeName: 'firstline.v1.RuleActions',
          teamId: 'first-line',
          skillIds: ['general'],
          priority: Priority.NORMAL,
          tags: [],
        },
      },
    },
  ],
  cannedReply(
    'greeting',
    'Greeting',
    'Hi {{customer.firstName}},\n\nthanks for writing to us.\n\n{{agent.firstName}}',
  ),
  cannedReply(
    'refund-time',
    'Refund: how long it takes',
    'Hi {{customer.firstName}}, refunds reach your account within 5 business days. Your ticket: #{{ticket.number}}.',
  ),
  ...DEMO_AGENTS.map((demo): [string, DirectoryPayload] => [demo.id, demo.payload]),
];

/** The demo's sign-ins as the start banner lists them: who, and what they may do. */
export function demoSignIns(): Array<{ email: string; role: string }> {
  const teamNames = new Map(
    DEMO_ENTRIES.flatMap(([, payload]) =>
      payload.case === 'team' ? [[payload.value.id, payload.value.name] as const] : [],
    ),
  );
  return DEMO_AGENTS.map(({ email, role, payload }) => ({
    email,
    role:
      role === 'agent' && payload.case === 'agent'
        ? `agent, ${payload.value.teamIds.map((id) => teamNames.get(id) ?? id).join(' and ')}`
        : role,
  }));
}
