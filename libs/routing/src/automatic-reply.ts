import { AutomaticReplyKind, TicketDisposition } from '@firstline/contracts';
import { isOpen, nextOpen, type BusinessCalendar } from './calendar';

export interface AutomaticReplyPolicy {
  enabled: boolean;
  /** At most one automatic reply per conversation within this many milliseconds. */
  windowMs: number;
}

export interface AutomaticReplySubject {
  disposition: TicketDisposition;
  /** The adapter flagged the message as machine-sent (out-of-office, bounce, list). */
  autoResponse: boolean;
  /** The message answers a satisfaction survey: a rating, not a question. */
  csatAnswer: boolean;
  ticketNumber: string;
  /** "ru" gets Russian; anything else English. */
  language: string;
  /** The first-response due time: what the customer is promised. Unset without an SLA. */
  expectedAnswerAt?: Date;
  /** When the conversation last got an automatic reply. */
  lastAutomaticReplyAt?: Date;
}

export interface PlannedAutomaticReply {
  kind: AutomaticReplyKind;
  text: string;
  expectedAnswerAt?: Date;
}

/**
 * The automatic reply a message gets, if any. A new, follow-up or reopened ticket is acknowledged
 * with its number and the expected answer time; any message arriving while the team is closed
 * gets an out-of-hours notice instead. Machines and survey answers never get one (that is what
 * prevents mail loops), and a conversation gets at most one per window.
 */
export function planAutomaticReply(
  policy: AutomaticReplyPolicy,
  subject: AutomaticReplySubject,
  calendar: BusinessCalendar,
  now: Date,
): PlannedAutomaticReply | undefined {
  if (!policy.enabled || subject.autoResponse || subject.csatAnswer) return undefined;
  const last = subject.lastAutomaticReplyAt?.getTime();
  if (last !== undefined && now.getTime() - last < policy.windowMs) return undefined;
  const texts = subject.language === 'ru' ? RUSSIAN : ENGLISH;
  const when = (date: Date) => formatLocalTime(date, calendar.timeZone, texts.locale);
  const expected = subject.expectedAnswerAt;
  if (!isOpen(calendar, now)) {
    const opensAt = nextOpen(calendar, now);
    return {
      kind: AutomaticReplyKind.OUT_OF_HOURS,
      text: texts.outOfHours(
        subject.ticketNumber,
        opensAt && when(opensAt),
        expected && when(expected),
      ),
      expectedAnswerAt: expected,
    };
  }
  const startsTicket =
    subject.disposition === TicketDisposition.NEW_TICKET ||
    subject.disposition === TicketDisposition.FOLLOW_UP ||
    subject.disposition === TicketDisposition.REOPEN;
  if (!startsTicket) return undefined;
  return {
    kind: AutomaticReplyKind.ACKNOWLEDGEMENT,
    text: texts.acknowledgement(subject.ticketNumber, expected && when(expected)),
    expectedAnswerAt: expected,
  };
}

/** "Monday 23 November at 10:00 GMT+3", in the team's time zone. */
function formatLocalTime(date: Date, timeZone: string, locale: string): string {
  return localTimeFormat(timeZone, locale).format(date);
}

/** Making a format costs far more than using one: one per time zone and locale. */
const localTimeFormats = new Map<string, Intl.DateTimeFormat>();

function localTimeFormat(timeZone: string, locale: string): Intl.DateTimeFormat {
  const key = `${timeZone} ${locale}`;
  let format = localTimeFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, {
      weekday: 'long',
      day: 'numeric',
      month: 'long',
      hour: '2-digit',
      minute: '2-digit',
      timeZone,
      timeZoneName: 'short',
    });
    localTimeFormats.set(key, format);
  }
  return format;
}

interface Texts {
  locale: string;
  acknowledgement(ticketNumber: string, expected?: string): string;
  outOfHours(ticketNumber: string, opensAt?: string, expected?: string): string;
}

const ENGLISH: Texts = {
  locale: 'en-GB',
  acknowledgement: (number, expected) =>
    `Thank you for your message. Your request number is #${number}.` +
    (expected ? ` We will answer by ${expected}.` : ' We will answer as soon as we can.'),
  outOfHours: (number, opensAt, expected) =>
    `Thank you for your message. Your request number is #${number}.` +
    ` Our team is not at work right now` +
    (opensAt ? ` and will be back on ${opensAt}.` : '.') +
    (expected ? ` We will answer by ${expected}.` : ''),
};

const RUSSIAN: Texts = {
  locale: 'ru-RU',
  acknowledgement: (number, expected) =>
    `Спасибо за обращение. Номер вашего запроса — #${number}.` +
    (expected ? ` Мы ответим до: ${expected}.` : ' Мы ответим как можно скорее.'),
  outOfHours: (number, opensAt, expected) =>
    `Спасибо за обращение. Номер вашего запроса — #${number}.` +
    ` Сейчас мы не работаем` +
    (opensAt ? ` и вернёмся: ${opensAt}.` : '.') +
    (expected ? ` Мы ответим до: ${expected}.` : ''),
};
