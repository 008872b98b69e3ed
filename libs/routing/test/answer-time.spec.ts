import {
  ALWAYS_OPEN_CALENDAR,
  answerTimeText,
  approximateDuration,
  erlangCdf,
  erlangQuantile,
  estimateAnswerTime,
  meanQueueWaitMs,
  placeInLine,
  queueWaitMs,
  waitingText,
  type BusinessCalendar,
} from '../src';

const MINUTE = 60_000;

describe('erlangCdf', () => {
  // An Erlang wait of k phases at rate λ is over by t unless fewer than k Poisson(λt) events
  // happened: F(t) = 1 − P(X ≤ k − 1). Values from the published cumulative Poisson table.
  it.each([
    { phases: 1, mean: 1, poissonAtMost: 0.3679 },
    { phases: 2, mean: 2, poissonAtMost: 0.406 },
    { phases: 3, mean: 3, poissonAtMost: 0.4232 },
    { phases: 5, mean: 5, poissonAtMost: 0.4405 },
    { phases: 3, mean: 1, poissonAtMost: 0.9197 },
    { phases: 10, mean: 10, poissonAtMost: 0.4579 },
  ])(
    'with $phases phases and λt = $mean the wait is not over with P(X ≤ k−1) = $poissonAtMost',
    ({ phases, mean, poissonAtMost }) => {
      expect(1 - erlangCdf(phases, 1, mean)).toBeCloseTo(poissonAtMost, 4);
    },
  );

  it('is 0 at and before the start', () => {
    expect(erlangCdf(3, 1, 0)).toBe(0);
    expect(erlangCdf(3, 1, -1)).toBe(0);
  });
});

describe('erlangQuantile', () => {
  // 2λW of an Erlang(k, λ) wait is chi-square with 2k degrees of freedom, so the quantile is
  // χ²(p; 2k) / 2λ. Upper critical values from the NIST/SEMATECH e-Handbook's chi-square table.
  it.each([
    { phases: 1, p: 0.9, chiSquare: 4.605 },
    { phases: 1, p: 0.95, chiSquare: 5.991 },
    { phases: 2, p: 0.9, chiSquare: 7.779 },
    { phases: 2, p: 0.95, chiSquare: 9.488 },
    { phases: 3, p: 0.9, chiSquare: 10.645 },
    { phases: 3, p: 0.95, chiSquare: 12.592 },
    { phases: 5, p: 0.9, chiSquare: 15.987 },
    { phases: 5, p: 0.99, chiSquare: 23.209 },
  ])('Erlang($phases) at $p is χ² = $chiSquare over 2λ', ({ phases, p, chiSquare }) => {
    expect(erlangQuantile(phases, 0.5, p)).toBeCloseTo(chiSquare, 2);
    expect(erlangQuantile(phases, 2, p)).toBeCloseTo(chiSquare / 4, 3);
  });

  it('refuses a probability outside (0, 1)', () => {
    expect(() => erlangQuantile(2, 1, 1)).toThrow(RangeError);
    expect(() => erlangQuantile(2, 1, 0)).toThrow(RangeError);
  });
});

describe('queue waits', () => {
  it.each([
    // The issue's own example: 3rd in line, three agents busy, 7 minutes a ticket.
    { position: 3, slots: 3, handlingMinutes: 7, meanMinutes: 7 },
    { position: 1, slots: 1, handlingMinutes: 10, meanMinutes: 10 },
    { position: 1, slots: 4, handlingMinutes: 10, meanMinutes: 2.5 },
    { position: 10, slots: 5, handlingMinutes: 6, meanMinutes: 12 },
  ])(
    '$position in line with $slots slots of $handlingMinutes min waits $meanMinutes min on average',
    ({ position, slots, handlingMinutes, meanMinutes }) => {
      expect(meanQueueWaitMs(position, slots, handlingMinutes * MINUTE)).toBeCloseTo(
        meanMinutes * MINUTE,
      );
    },
  );

  it('promises the wait by which four in five are answered: 3rd of 3 slots × 7 min → 8.56 × 7/6', () => {
    // χ²(0.80; 6) = 8.558, so the 80% wait is 8.558 / (2 × 3/7) minutes.
    expect(
      queueWaitMs({ position: 3, slots: 3, meanHandlingMs: 7 * MINUTE }, 0.8)! / MINUTE,
    ).toBeCloseTo((8.558 * 7) / 6, 2);
  });

  it.each([
    { case: 'nobody online', queue: { position: 2, slots: 0, meanHandlingMs: MINUTE } },
    { case: 'no handling times yet', queue: { position: 2, slots: 3 } },
    { case: 'an agent has it', queue: { position: 0, slots: 3, meanHandlingMs: MINUTE } },
  ])('has no forecast when $case', ({ queue }) => {
    expect(queueWaitMs(queue, 0.8)).toBeUndefined();
  });
});

/** Mon–Fri 9:00–18:00 in Moscow (UTC+3 all year). */
const MOSCOW_OFFICE: BusinessCalendar = {
  timeZone: 'Europe/Moscow',
  weeklyHours: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, openMinute: 540, closeMinute: 1080 })),
  holidays: [],
  specialWorkingDays: [],
};
// Monday 23 November 2026, 12:00 in Moscow.
const MONDAY_NOON = new Date('2026-11-23T09:00:00Z');
const after = (from: Date, minutes: number) => new Date(from.getTime() + minutes * MINUTE);
// 1st of 1 slot, 10 minutes a ticket: the 80% wait of an exponential is −ln 0.2 × 10 = 16.09 min.
const ONE_SLOT = { position: 1, slots: 1, meanHandlingMs: 10 * MINUTE };
const WAIT_80 = -Math.log(0.2) * 10;

describe('estimateAnswerTime', () => {
  it('promises the queue forecast when it comes before the SLA due time', () => {
    expect(
      estimateAnswerTime(ONE_SLOT, MOSCOW_OFFICE, MONDAY_NOON, after(MONDAY_NOON, 60)),
    ).toEqual({ position: 1, answerAt: after(MONDAY_NOON, WAIT_80), basis: 'queue' });
  });

  it('never promises later than the SLA due time', () => {
    const due = after(MONDAY_NOON, 5);
    expect(estimateAnswerTime(ONE_SLOT, MOSCOW_OFFICE, MONDAY_NOON, due)).toEqual({
      position: 1,
      answerAt: due,
      basis: 'sla',
    });
  });

  it('counts the wait from opening time when the team is closed', () => {
    // Friday 20:00 in Moscow: the queue starts moving on Monday at 9:00.
    const fridayEvening = new Date('2026-11-27T17:00:00Z');
    const mondayOpening = new Date('2026-11-30T06:00:00Z');
    expect(estimateAnswerTime(ONE_SLOT, MOSCOW_OFFICE, fridayEvening, undefined)).toEqual({
      position: 1,
      answerAt: after(mondayOpening, WAIT_80),
      basis: 'queue',
    });
  });

  it('carries a forecast over the closing time into the next working day', () => {
    // Monday 17:55: five minutes today, the rest on Tuesday from 9:00.
    const late = new Date('2026-11-23T14:55:00Z');
    const estimate = estimateAnswerTime(ONE_SLOT, MOSCOW_OFFICE, late, undefined);
    expect(estimate?.answerAt).toEqual(after(new Date('2026-11-24T06:00:00Z'), WAIT_80 - 5));
  });

  it('falls back on the SLA due time without a forecast, and promises nothing without either', () => {
    const due = after(MONDAY_NOON, 60);
    const nobody = { position: 4, slots: 0 };
    expect(estimateAnswerTime(nobody, MOSCOW_OFFICE, MONDAY_NOON, due)).toEqual({
      position: 4,
      answerAt: due,
      basis: 'sla',
    });
    expect(
      estimateAnswerTime(nobody, ALWAYS_OPEN_CALENDAR, MONDAY_NOON, undefined),
    ).toBeUndefined();
  });
});

describe('placeInLine', () => {
  it.each([
    [1, '1st', 'первый'],
    [2, '2nd', 'второй'],
    [3, '3rd', 'третий'],
    [4, '4th', 'четвёртый'],
    [10, '10th', 'десятый'],
    [11, '11th', '11-й'],
    [12, '12th', '12-й'],
    [13, '13th', '13-й'],
    [21, '21st', '21-й'],
    [22, '22nd', '22-й'],
    [23, '23rd', '23-й'],
    [111, '111th', '111-й'],
  ])('%i is "%s", «%s»', (place, english, russian) => {
    expect(placeInLine('en', place)).toBe(english);
    expect(placeInLine('ru', place)).toBe(russian);
  });
});

describe('approximateDuration', () => {
  it.each([
    [0.2, '1 minute', '1 минуту'],
    [1, '1 minute', '1 минуту'],
    [2, '2 minutes', '2 минуты'],
    [4.1, '5 minutes', '5 минут'],
    [7, '7 minutes', '7 минут'],
    [11, '11 minutes', '11 минут'],
    [21, '21 minutes', '21 минуту'],
    [22, '22 minutes', '22 минуты'],
    [25, '25 minutes', '25 минут'],
    [60, '1 hour', '1 час'],
    [150, '3 hours', '3 часа'],
    [300, '5 hours', '5 часов'],
  ])('%f minutes is "%s", «%s»', (minutes, english, russian) => {
    expect(approximateDuration('en', minutes * MINUTE)).toBe(english);
    expect(approximateDuration('ru', minutes * MINUTE)).toBe(russian);
  });
});

describe('answerTimeText', () => {
  const queued = { position: 3, answerAt: after(MONDAY_NOON, 7), basis: 'queue' as const };

  it('tells the place and the wait: "you are 3rd in line, about 7 minutes"', () => {
    expect(answerTimeText(queued, 'en', 'Europe/Moscow', MONDAY_NOON)).toBe(
      'You are 3rd in line. We expect to answer in about 7 minutes.',
    );
    expect(answerTimeText(queued, 'ru', 'Europe/Moscow', MONDAY_NOON)).toBe(
      'Вы третий в очереди. Ответим примерно через 7 минут.',
    );
  });

  it('tells the SLA due time, or a far forecast, as the time of day', () => {
    const due = { position: 2, answerAt: after(MONDAY_NOON, 60), basis: 'sla' as const };
    expect(answerTimeText(due, 'en', 'Europe/Moscow', MONDAY_NOON)).toBe(
      'You are 2nd in line. We will answer by Monday 23 November at 13:00 GMT+3.',
    );
    const far = { ...queued, answerAt: after(MONDAY_NOON, 24 * 60) };
    expect(answerTimeText(far, 'ru', 'Europe/Moscow', MONDAY_NOON)).toBe(
      'Вы третий в очереди. Мы ответим до: вторник, 24 ноября в 12:00 GMT+3.',
    );
  });

  it('leaves the place out when an agent has the ticket', () => {
    expect(answerTimeText({ ...queued, position: 0 }, 'en', 'Europe/Moscow', MONDAY_NOON)).toBe(
      'We expect to answer in about 7 minutes.',
    );
  });

  it("uses the directory's words for a language", () => {
    const overrides = { en: { queuePlace: 'Your place: {place}.' } };
    expect(answerTimeText(queued, 'en', 'Europe/Moscow', MONDAY_NOON, overrides)).toBe(
      'Your place: 3rd. We expect to answer in about 7 minutes.',
    );
  });
});

describe('waitingText', () => {
  it('counts down what is left of a near promise as the customer waits', () => {
    const promised = after(MONDAY_NOON, 25);
    expect(waitingText(2, promised, 'en', MONDAY_NOON)).toBe(
      'You are 2nd in line. We expect to answer in about 25 minutes.',
    );
    expect(waitingText(1, promised, 'ru', after(MONDAY_NOON, 21))).toBe(
      'Вы первый в очереди. Ответим примерно через 4 минуты.',
    );
  });

  it('says only the place once the promise is far or past, and only the wait once an agent has it', () => {
    expect(waitingText(4, after(MONDAY_NOON, 5 * 60), 'en', MONDAY_NOON)).toBe(
      'You are 4th in line.',
    );
    expect(waitingText(4, after(MONDAY_NOON, -1), 'en', MONDAY_NOON)).toBe('You are 4th in line.');
    expect(waitingText(0, after(MONDAY_NOON, 10), 'en', MONDAY_NOON)).toBe(
      'We expect to answer in about 10 minutes.',
    );
    expect(waitingText(0, undefined, 'en', MONDAY_NOON)).toBeUndefined();
  });
});
