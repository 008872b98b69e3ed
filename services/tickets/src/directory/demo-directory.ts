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

const allChannels = (maxConcurrent: number) =>
  [Channel.EMAIL, Channel.TELEGRAM, Channel.VK, Channel.WEBFORM].map((channel) => ({
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
    },
  },
];

const skill = (id: string, name: string, description: string): [string, DirectoryPayload] => [
  id,
  { case: 'skill', value: { $typeName: 'firstline.v1.Skill', id, name, description } },
];

const sla = (
  priority: Priority,
  firstResponseMinutes: number,
  resolutionMinutes: number,
): [string, DirectoryPayload] => {
  const id = `default-${Priority[priority].toLowerCase()}`;
  return [
    id,
    {
      case: 'slaPolicy',
      value: {
        $typeName: 'firstline.v1.SlaPolicy',
        id,
        name: `Default, ${Priority[priority].toLowerCase()}`,
        teamId: '',
        channel: Channel.UNSPECIFIED,
        priority,
        firstResponseMinutes,
        resolutionMinutes,
        businessTime: true,
      },
    },
  ];
};

const rule = (id: string, name: string, keywords: string[], teamId: string, skillId: string) => ({
  $typeName: 'firstline.v1.Rule' as const,
  id,
  name,
  conditions: [
    {
      $typeName: 'firstline.v1.RuleCondition' as const,
      field: RuleField.TEXT,
      key: '',
      operator: RuleOperator.CONTAINS_ANY,
      values: keywords,
      negate: false,
    },
  ],
  actions: {
    $typeName: 'firstline.v1.RuleActions' as const,
    teamId,
    skillIds: [skillId],
    priority: Priority.UNSPECIFIED,
    tags: [skillId],
  },
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
  sla(Priority.LOW, 480, 4800),
  sla(Priority.NORMAL, 240, 2400),
  sla(Priority.HIGH, 60, 960),
  sla(Priority.URGENT, 15, 240),
  [
    'default',
    {
      case: 'ruleSet',
      value: {
        $typeName: 'firstline.v1.RuleSet',
        version: 1,
        rules: [
          rule(
            'billing-keywords',
            'Money matters',
            ['invoice', 'refund', 'payment', 'charged'],
            'billing',
            'billing',
          ),
          rule(
            'technical-keywords',
            'Something broke',
            ['error', 'crash', 'bug', 'not working'],
            'technical',
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
