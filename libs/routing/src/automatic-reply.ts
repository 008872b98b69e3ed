import { AutomaticReplyKind, TicketDisposition } from '@firstline/contracts';
import { isOpen, nextOpen, type BusinessCalendar } from './calendar';
import {
  customerLanguage,
  customerLocale,
  customerTexts,
  fillText,
  type CustomerTextsByLanguage,
} from './customer-texts';

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
  /** The customer's language: "ru" gets Russian, anything else English (customer-texts.ts). */
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
 * prevents mail loops), and a conversation gets at most one per window. Written in the
 * customer's language, in the directory's words for it when an admin changed them.
 */
export function planAutomaticReply(
  policy: AutomaticReplyPolicy,
  subject: AutomaticReplySubject,
  calendar: BusinessCalendar,
  now: Date,
  overrides?: CustomerTextsByLanguage,
): PlannedAutomaticReply | undefined {
  if (!policy.enabled || subject.autoResponse || subject.csatAnswer) return undefined;
  const last = subject.lastAutomaticReplyAt?.getTime();
  if (last !== undefined && now.getTime() - last < policy.windowMs) return undefined;
  const texts = customerTexts(subject.language, overrides);
  const locale = customerLocale(customerLanguage(subject.language));
  const when = (date: Date) => formatLocalTime(date, calendar.timeZone, locale);
  const number = { number: subject.ticketNumber };
  const expected = subject.expectedAnswerAt;
  const answerBy = expected && fillText(texts.answerBy, { time: when(expected) });
  if (!isOpen(calendar, now)) {
    const opensAt = nextOpen(calendar, now);
    const closed = opensAt ? fillText(texts.closedUntil, { time: when(opensAt) }) : texts.closedNow;
    return {
      kind: AutomaticReplyKind.OUT_OF_HOURS,
      text: [fillText(texts.acknowledgement, number), closed, answerBy].filter(Boolean).join(' '),
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
    text: `${fillText(texts.acknowledgement, number)} ${answerBy ?? texts.answerSoon}`,
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
