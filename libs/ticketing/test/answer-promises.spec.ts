import { ALWAYS_OPEN_CALENDAR, estimateAnswerTime } from '@firstline/routing';
import { summarise, summariseBy, type KpiTicket } from '../src';

const MINUTE = 60_000;
const opening = new Date('2026-11-23T06:00:00Z'); // a Monday morning
const at = (minutes: number) => new Date(opening.getTime() + minutes * MINUTE);
const minutesOf = (date: Date) => (date.getTime() - opening.getTime()) / MINUTE;

/** Who writes when, on which channel, and how long their ticket then holds an agent. */
const SCRIPT = [
  { name: 'A', channel: 'chat', arrives: 0, handling: 10 },
  { name: 'B', channel: 'email', arrives: 1, handling: 10 },
  { name: 'C', channel: 'chat', arrives: 2, handling: 12 },
  { name: 'D', channel: 'email', arrives: 3, handling: 10 },
  { name: 'E', channel: 'chat', arrives: 12, handling: 10 },
  { name: 'F', channel: 'email', arrives: 13, handling: 10 },
  { name: 'G', channel: 'chat', arrives: 14, handling: 10 },
];
const SLOTS = 2; // two agents, one conversation each
const SLA_MINUTES = 60;

/**
 * A team's scripted morning played through the router's rules: first come first served, an
 * agent answers a ticket as they take it and holds it for its handling time. Each customer is
 * promised what `estimateAnswerTime` says on arrival, from their place in line and the mean
 * handling time of the tickets finished so far.
 */
function playDay(): Array<KpiTicket & { name: string; position: number }> {
  const freeAt = Array.from({ length: SLOTS }, () => 0);
  const played: Array<{ handling: number; startsAt: number; endsAt: number }> = [];
  return SCRIPT.map(({ name, channel, arrives, handling }) => {
    const handled = played.filter((ticket) => ticket.endsAt <= arrives);
    const ahead = played.filter((ticket) => ticket.startsAt > arrives).length;
    const slot = freeAt.indexOf(Math.min(...freeAt));
    const startsAt = Math.max(arrives, freeAt[slot]!);
    const position = startsAt > arrives ? ahead + 1 : 0;
    const promise = estimateAnswerTime(
      {
        position,
        slots: SLOTS,
        meanHandlingMs:
          handled.length === 0
            ? undefined
            : (handled.reduce((sum, ticket) => sum + ticket.handling, 0) / handled.length) * MINUTE,
      },
      ALWAYS_OPEN_CALENDAR,
      at(arrives),
      at(arrives + SLA_MINUTES),
    )!;
    freeAt[slot] = startsAt + handling;
    played.push({ handling, startsAt, endsAt: startsAt + handling });
    return {
      name,
      position,
      channel,
      teamId: 'billing',
      status: 'open',
      createdAt: at(arrives),
      firstRespondedAt: at(startsAt),
      reopenCount: 0,
      promisedAnswerAt: promise.answerAt,
    };
  });
}

describe('a scripted day of answer-time promises against the first responses that came', () => {
  const day = playDay();
  const end = at(8 * 60);

  it('promises each customer as worked out by hand, and answers them as the script plays', () => {
    // Until a ticket is finished there is no handling time: the SLA's 60 minutes are promised.
    // From minute 12, A and B took 10 minutes each; with two slots the line moves once per 5
    // minutes, so the 80% waits are 5 × 1.609 (−ln 0.2), 5 × 2.994 and 5 × 4.279 minutes
    // (χ²(0.80; 2k) / 2 for k = 1, 2, 3).
    expect(
      day.map((ticket) => [
        ticket.name,
        ticket.position,
        Math.round(minutesOf(ticket.promisedAnswerAt!) * 100) / 100,
        minutesOf(ticket.firstRespondedAt!),
      ]),
    ).toEqual([
      ['A', 0, 60, 0],
      ['B', 0, 61, 1],
      ['C', 1, 62, 10],
      ['D', 2, 63, 11],
      ['E', 1, 20.05, 21], // D's slot frees at 21: promised 20.05, broken
      ['F', 2, 27.97, 22],
      ['G', 3, 35.4, 31],
    ]);
  });

  it('counts the promises kept per channel and for the team', () => {
    expect(
      summariseBy(day, 'channel', end).map(({ key, summary }) => [
        key,
        summary.answerPromises,
        summary.answerPromisesKept,
      ]),
    ).toEqual([
      ['chat', 4, 3 / 4],
      ['email', 3, 1],
    ]);
    expect(summarise(day, end)).toMatchObject({ answerPromises: 7, answerPromisesKept: 6 / 7 });
  });
});
