import { AutomaticReplyKind, Priority, TicketDisposition } from '@firstline/contracts';
import {
  escalatedPriority,
  overflowDueAt,
  planAutomaticReply,
  type AutomaticReplySubject,
  type BusinessCalendar,
} from '../src';

/** Mon–Fri 9:00–18:00 in Moscow (UTC+3 all year). */
const MOSCOW_OFFICE: BusinessCalendar = {
  timeZone: 'Europe/Moscow',
  weeklyHours: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, openMinute: 540, closeMinute: 1080 })),
  holidays: [],
  specialWorkingDays: [],
};
const POLICY = { enabled: true, windowMs: 60 * 60_000 };
// Monday 23 November 2026, 12:00 in Moscow.
const MONDAY_NOON = new Date('2026-11-23T09:00:00Z');
// Friday 27 November 2026, 20:00 in Moscow: closed until Monday 9:00.
const FRIDAY_EVENING = new Date('2026-11-27T17:00:00Z');

const subject = (fields: Partial<AutomaticReplySubject> = {}): AutomaticReplySubject => ({
  disposition: TicketDisposition.NEW_TICKET,
  autoResponse: false,
  csatAnswer: false,
  ticketNumber: '10234',
  language: 'en',
  expectedAnswerAt: new Date('2026-11-23T10:00:00Z'),
  ...fields,
});

describe('planAutomaticReply', () => {
  it('acknowledges a new ticket with its number and the answer time in the team time zone', () => {
    expect(planAutomaticReply(POLICY, subject(), MOSCOW_OFFICE, MONDAY_NOON)).toEqual({
      kind: AutomaticReplyKind.ACKNOWLEDGEMENT,
      text: 'Thank you for your message. Your request number is #10234. We will answer by Monday 23 November at 13:00 GMT+3.',
      expectedAnswerAt: new Date('2026-11-23T10:00:00Z'),
    });
  });

  it('writes Russian to a customer who wrote in Russian', () => {
    expect(
      planAutomaticReply(POLICY, subject({ language: 'ru' }), MOSCOW_OFFICE, MONDAY_NOON)?.text,
    ).toBe(
      'Спасибо за обращение. Номер вашего запроса — #10234. Мы ответим до: понедельник, 23 ноября в 13:00 GMT+3.',
    );
  });

  it('acknowledges a queued ticket with its place in line and the forecast wait', () => {
    const answerEstimate = {
      position: 3,
      answerAt: new Date('2026-11-23T09:07:00Z'),
      basis: 'queue' as const,
    };
    expect(
      planAutomaticReply(
        POLICY,
        subject({ language: 'ru', answerEstimate }),
        MOSCOW_OFFICE,
        MONDAY_NOON,
      ),
    ).toEqual({
      kind: AutomaticReplyKind.ACKNOWLEDGEMENT,
      text: 'Спасибо за обращение. Номер вашего запроса — #10234. Вы третий в очереди. Ответим примерно через 7 минут.',
      expectedAnswerAt: answerEstimate.answerAt,
    });
  });

  it('tells a customer writing after hours when the team is back', () => {
    const expected = new Date('2026-11-30T07:00:00Z');
    expect(
      planAutomaticReply(
        POLICY,
        subject({ disposition: TicketDisposition.APPEND, expectedAnswerAt: expected }),
        MOSCOW_OFFICE,
        FRIDAY_EVENING,
      ),
    ).toEqual({
      kind: AutomaticReplyKind.OUT_OF_HOURS,
      text:
        'Thank you for your message. Your request number is #10234. Our team is not at work right now' +
        ' and will be back on Monday 30 November at 09:00 GMT+3. We will answer by Monday 30 November at 10:00 GMT+3.',
      expectedAnswerAt: expected,
    });
  });

  it.each<[string, Partial<AutomaticReplySubject>]>([
    ['an out-of-office reply or a bounce', { autoResponse: true }],
    ['an answer to a satisfaction survey', { csatAnswer: true }],
    ['a message continuing an open ticket in hours', { disposition: TicketDisposition.APPEND }],
    [
      'a conversation that got one 59 minutes ago',
      { lastAutomaticReplyAt: new Date(MONDAY_NOON.getTime() - 59 * 60_000) },
    ],
  ])('sends nothing to %s', (_case, fields) => {
    expect(planAutomaticReply(POLICY, subject(fields), MOSCOW_OFFICE, MONDAY_NOON)).toBeUndefined();
  });

  it('acknowledges again once the window has passed, and never when switched off', () => {
    const lastHourAgo = { lastAutomaticReplyAt: new Date(MONDAY_NOON.getTime() - 60 * 60_000) };
    expect(planAutomaticReply(POLICY, subject(lastHourAgo), MOSCOW_OFFICE, MONDAY_NOON)?.kind).toBe(
      AutomaticReplyKind.ACKNOWLEDGEMENT,
    );
    expect(
      planAutomaticReply({ ...POLICY, enabled: false }, subject(), MOSCOW_OFFICE, MONDAY_NOON),
    ).toBeUndefined();
  });

  it('promises no time when no SLA policy applies', () => {
    expect(
      planAutomaticReply(
        POLICY,
        subject({ expectedAnswerAt: undefined }),
        MOSCOW_OFFICE,
        MONDAY_NOON,
      )?.text,
    ).toBe(
      'Thank you for your message. Your request number is #10234. We will answer as soon as we can.',
    );
  });
});

describe('escalation', () => {
  it.each([
    [Priority.LOW, Priority.NORMAL],
    [Priority.NORMAL, Priority.HIGH],
    [Priority.HIGH, Priority.URGENT],
    [Priority.URGENT, Priority.URGENT],
    [Priority.UNSPECIFIED, Priority.NORMAL],
  ])('a breach raises priority %s to %s', (from, to) => {
    expect(escalatedPriority(from)).toBe(to);
  });

  it('overflows after the team threshold, and never without an overflow team', () => {
    const queuedAt = new Date('2026-11-23T09:00:00Z');
    expect(
      overflowDueAt({ overflowTeamId: 'overflow', overflowAfterSeconds: 900 }, queuedAt),
    ).toEqual(new Date('2026-11-23T09:15:00Z'));
    expect(
      overflowDueAt({ overflowTeamId: '', overflowAfterSeconds: 900 }, queuedAt),
    ).toBeUndefined();
    expect(
      overflowDueAt({ overflowTeamId: 'overflow', overflowAfterSeconds: 0 }, queuedAt),
    ).toBeUndefined();
    expect(overflowDueAt(undefined, queuedAt)).toBeUndefined();
  });
});
