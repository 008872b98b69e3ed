import {
  Channel,
  IdentityKind,
  type InboundMessage,
  create,
  InboundMessageSchema,
  timestampFromDate,
} from '@firstline/contracts';
import {
  classify,
  computeDueTimes,
  detectLanguage,
  findSlaPolicy,
  type BusinessCalendar,
  type RuleSet,
  type SlaPolicy,
} from '@firstline/routing';
import { DEFAULT_FORMS, readSubmission, submissionMessage, type Locale } from '@firstline/webform';
import { DEMO_ENTRIES } from '../src/directory/demo-directory';

/** The demo directory as the router holds it once tickets has published it. */
function demoPolicies() {
  const payloads = DEMO_ENTRIES.map(([, payload]) => payload);
  const ruleSet = payloads.find((payload) => payload.case === 'ruleSet')!.value as RuleSet;
  const slaPolicies = payloads.flatMap((payload) =>
    payload.case === 'slaPolicy' ? [payload.value as SlaPolicy] : [],
  );
  const calendars = new Map(
    payloads.flatMap((payload) =>
      payload.case === 'calendar'
        ? [[payload.value.id, payload.value as BusinessCalendar] as const]
        : [],
    ),
  );
  const teamCalendars = new Map(
    payloads.flatMap((payload) =>
      payload.case === 'team'
        ? [[payload.value.id, calendars.get(payload.value.calendarId)!] as const]
        : [],
    ),
  );
  return { ruleSet, slaPolicies, teamCalendars };
}

/** What the router decides for a new ticket: team, SLA policy and first-response due time. */
function route(message: InboundMessage) {
  const { ruleSet, slaPolicies, teamCalendars } = demoPolicies();
  const receivedAt = new Date(Number(message.receivedAt!.seconds) * 1000);
  const classification = classify(ruleSet, {
    channel: message.channel,
    subject: message.subject,
    textBody: message.textBody,
    formTopic: message.formTopic,
    formFields: message.formFields,
    channelMetadata: message.channelMetadata,
    senderValue: message.sender!.value,
    language: detectLanguage(`${message.subject}\n${message.textBody}`),
    customerTier: '',
    customerTags: [],
    receivedAt,
  });
  const policy = findSlaPolicy(slaPolicies, {
    teamId: classification.teamId,
    channel: message.channel,
    priority: classification.priority,
  })!;
  const due = computeDueTimes(policy, teamCalendars.get(classification.teamId)!, receivedAt);
  return {
    team: classification.teamId,
    policy: policy.id,
    firstResponseDue: due.firstResponseDueAt.toISOString(),
  };
}

/** The built-in contact form, filled in and sent as the web-form channel sends it. */
function contactForm(locale: Locale, topic: string, message: string, at: string): InboundMessage {
  const form = DEFAULT_FORMS.find((definition) => definition.id === 'contact')!;
  const read = readSubmission(
    form,
    { name: 'Vera', email: 'vera@example.com', topic, message },
    locale,
    new Date(at),
  );
  if (!read.ok) throw new Error(JSON.stringify(read.errors));
  return submissionMessage(read.submission, {
    idempotencyKey: `${topic}-${at}`,
    statusToken: 'status-token',
    formTitle: form.title[locale] ?? form.title.en,
    receivedAt: new Date(at),
    attachments: [],
    locale,
  });
}

function chat(channel: Channel, subject: string, text: string, at: string): InboundMessage {
  return create(InboundMessageSchema, {
    messageId: `${channel}-${at}`,
    channel,
    sender: { kind: IdentityKind.EMAIL, value: 'vera@example.com', displayName: 'Vera' },
    conversationKey: `demo:${at}`,
    subject,
    textBody: text,
    receivedAt: timestampFromDate(new Date(at)),
  });
}

// Office hours are Monday to Friday, 9–18 in Berlin (UTC+1 in December): 7 December 2026 is a Monday.
const MONDAY_10 = '2026-12-07T09:00:00Z';
const FRIDAY_17 = '2026-12-04T16:00:00Z';

describe('the demo directory, through the router’s classification and SLA', () => {
  it.each([
    // The contact form's topics, in Russian and English.
    [
      '«Оплата и счета» on the contact form',
      contactForm('ru', 'billing', 'Добрый день! Вопрос по документам.', MONDAY_10),
      'billing',
      'web-form',
      '2026-12-07T10:00:00.000Z',
    ],
    [
      '"Something does not work" on the contact form',
      contactForm('en', 'bug', 'Hello, see the screenshot.', MONDAY_10),
      'technical',
      'web-form',
      '2026-12-07T10:00:00.000Z',
    ],
    [
      '«Вопрос» on the contact form',
      contactForm('ru', 'question', 'Как поменять адрес доставки?', MONDAY_10),
      'first-line',
      'web-form',
      '2026-12-07T10:00:00.000Z',
    ],
    [
      'a question with billing words on the contact form',
      contactForm('ru', 'question', 'Пришлите, пожалуйста, счёт для бухгалтерии', MONDAY_10),
      'billing',
      'web-form',
      '2026-12-07T10:00:00.000Z',
    ],
    // Messengers: within a working minute.
    [
      '«дважды списали деньги» on Telegram',
      chat(Channel.TELEGRAM, '', 'Мне дважды списали деньги за подписку', MONDAY_10),
      'billing',
      'messenger-telegram',
      '2026-12-07T09:01:00.000Z',
    ],
    [
      '«приложение не работает» on VK',
      chat(Channel.VK, '', 'Приложение не работает, выдаёт ошибку', MONDAY_10),
      'technical',
      'messenger-vk',
      '2026-12-07T09:01:00.000Z',
    ],
    [
      '«зависит ли цена» on VK, which is no breakdown',
      chat(Channel.VK, '', 'Зависит ли цена от количества?', MONDAY_10),
      'first-line',
      'messenger-vk',
      '2026-12-07T09:01:00.000Z',
    ],
    [
      'a message to Telegram after hours, answered at the next opening',
      chat(Channel.TELEGRAM, '', 'Hello?', FRIDAY_17.replace('16:00', '18:00')),
      'first-line',
      'messenger-telegram',
      '2026-12-07T08:01:00.000Z',
    ],
    // Email: 12 working hours, so Friday 17:00 is due Tuesday 11:00 (1 + 9 + 2 hours).
    [
      'a refund by email on a Friday afternoon',
      chat(Channel.EMAIL, 'Refund for order 1234', 'Please refund my last payment.', FRIDAY_17),
      'billing',
      'email',
      '2026-12-08T10:00:00.000Z',
    ],
    [
      'a crash by email',
      chat(Channel.EMAIL, 'App', 'The app crashed when I opened it', MONDAY_10),
      'technical',
      'email',
      '2026-12-08T12:00:00.000Z',
    ],
    [
      '«Оплата» by email',
      chat(Channel.EMAIL, 'Оплата заказа', 'Как оплатить картой?', MONDAY_10),
      'billing',
      'email',
      '2026-12-08T12:00:00.000Z',
    ],
  ])('routes %s', (_case, message, team, policy, firstResponseDue) => {
    expect(route(message)).toEqual({ team, policy, firstResponseDue });
  });
});
