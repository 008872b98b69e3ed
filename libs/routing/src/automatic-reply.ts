import { AutomaticReplyKind, TicketDisposition } from '@firstline/contracts';
import type { AnswerEstimate } from './answer-time';
import { isOpen, nextOpen, type BusinessCalendar } from './calendar';
import {
  approximateDuration,
  customerLanguage,
  customerLocale,
  customerTexts,
  fillText,
  placeInLine,
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
  /** The first-response due time. Unset without an SLA. */
  expectedAnswerAt?: Date;
  /** What the customer is promised instead of the due time when known (answer-time.ts). */
  answerEstimate?: AnswerEstimate;
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
  const expected = subject.answerEstimate?.answerAt ?? subject.expectedAnswerAt;
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
  const answer = subject.answerEstimate
    ? answerTimeText(subject.answerEstimate, subject.language, calendar.timeZone, now, overrides)
    : (answerBy ?? texts.answerSoon);
  return {
    kind: AutomaticReplyKind.ACKNOWLEDGEMENT,
    text: `${fillText(texts.acknowledgement, number)} ${answer}`,
    expectedAnswerAt: expected,
  };
}

/**
 * Where the customer stands and when the answer is likely: "You are 3rd in line. We expect to
 * answer in about 7 minutes." A forecast from the queue is told as a wait while it is near; the
 * SLA's due time, or a far forecast, as the time of day in the team's zone.
 */
export function answerTimeText(
  estimate: AnswerEstimate,
  language: string,
  timeZone: string,
  now: Date,
  overrides?: CustomerTextsByLanguage,
): string {
  const texts = customerTexts(language, overrides);
  const chosen = customerLanguage(language);
  const near = estimate.basis === 'queue' && isNear(estimate.answerAt, now);
  const answer = near
    ? fillText(texts.answerIn, {
        duration: approximateDuration(chosen, estimate.answerAt.getTime() - now.getTime()),
      })
    : fillText(texts.answerBy, {
        time: formatLocalTime(estimate.answerAt, timeZone, customerLocale(chosen)),
      });
  return [placeText(estimate.position, language, overrides), answer].filter(Boolean).join(' ');
}

/**
 * The same while the customer watches the wait (the status page, the chat widget): the place
 * in line and, while the promise is near and still ahead, how long is left of it. Undefined when
 * there is nothing to say beyond the promised time itself.
 */
export function waitingText(
  position: number,
  promisedAt: Date | undefined,
  language: string,
  now: Date,
  overrides?: CustomerTextsByLanguage,
): string | undefined {
  const texts = customerTexts(language, overrides);
  const left =
    promisedAt && promisedAt > now && isNear(promisedAt, now)
      ? fillText(texts.answerIn, {
          duration: approximateDuration(
            customerLanguage(language),
            promisedAt.getTime() - now.getTime(),
          ),
        })
      : undefined;
  return [placeText(position, language, overrides), left].filter(Boolean).join(' ') || undefined;
}

/** Up to this far ahead a promise is told as a wait ("about 7 minutes"), beyond as a time. */
const NEAR_MS = 3 * 60 * 60_000;

function isNear(at: Date, now: Date): boolean {
  return at.getTime() - now.getTime() <= NEAR_MS;
}

function placeText(
  position: number,
  language: string,
  overrides?: CustomerTextsByLanguage,
): string | undefined {
  if (position < 1) return undefined;
  const place = placeInLine(customerLanguage(language), position);
  return fillText(customerTexts(language, overrides).queuePlace, { place });
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
