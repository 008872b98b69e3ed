import {
  agentsForServiceLevel,
  averageSpeedOfAnswer,
  erlangB,
  probabilityOfWaiting,
  serviceLevel,
  withShrinkage,
} from '../src';

describe('Erlang C against published worked examples', () => {
  // Call Centre Helper, "Erlang C Formula – Made Simple With an Easy Worked Example": 100 calls
  // per 30 minutes, 180 s handling time, 80 % answered within 20 s, occupancy cap 85 %, shrinkage
  // 30 %. Traffic 10 Erlangs; 11 agents leave 68.21 % waiting; 14 agents are needed, reaching
  // 88.84 %, and 20 must be scheduled.
  it('Call Centre Helper: 100 calls per half hour, 180 s, 80/20 needs 14 agents, 20 scheduled', () => {
    const staffing = agentsForServiceLevel({
      arrivalsPerHour: 200,
      handlingSeconds: 180,
      targetSeconds: 20,
      serviceLevel: 0.8,
      maxOccupancy: 0.85,
    });
    expect(staffing.traffic).toBe(10);
    expect(probabilityOfWaiting(11, 10)).toBeCloseTo(0.6821, 4);
    expect(staffing.agents).toBe(14);
    expect(staffing.serviceLevel).toBeCloseTo(0.8884, 4);
    expect(staffing.occupancy).toBeCloseTo(0.714, 3);
    expect(withShrinkage(staffing.agents, 0.3)).toBe(20);
  });

  it.each([
    // N, P(wait), service level within 20 s — the worked example's steps, N = 11 … 14
    [11, 0.6821, 0.3896],
    [12, 0.4494, 0.6402],
    [13, 0.2853, 0.7956],
    [14, 0.1741, 0.8884],
  ])('Call Centre Helper, %i agents: P(wait) %f, service level %f', (agents, waiting, level) => {
    expect(probabilityOfWaiting(agents, 10)).toBeCloseTo(waiting, 4);
    expect(serviceLevel(agents, 10, 180, 20)).toBeCloseTo(level, 4);
  });

  // Westbay Engineers, "The Erlang-C formula" (erlang.com): 360 calls per half hour, 4 minutes
  // each, 55 agents, 15 s target: 48 Erlangs, occupancy 0.873, about a quarter wait (0.24), mean
  // speed of answer 8.2 s, service level 85 %.
  it('Westbay: 360 calls per half hour of 4 minutes on 55 agents', () => {
    expect(48 / 55).toBeCloseTo(0.873, 3);
    expect(probabilityOfWaiting(55, 48)).toBeCloseTo(0.24, 2);
    expect(averageSpeedOfAnswer(55, 48, 240)).toBeCloseTo(8.2, 1);
    expect(serviceLevel(55, 48, 240, 15)).toBeCloseTo(0.85, 2);
  });

  // Erlang C tables (e.g. Gross & Harris, Fundamentals of Queueing Theory, M/M/c): 3 Erlangs on
  // 5 servers wait with probability 0.2362 — one call a minute, 3 minutes each, 5 agents.
  it('queueing tables: 3 Erlangs on 5 agents wait with probability 0.2362', () => {
    expect(probabilityOfWaiting(5, 3)).toBeCloseTo(0.2362, 4);
  });

  // Erlang B tables (telephone trunking): 5 Erlangs offered to 10 circuits block 1.84 %.
  it('Erlang B tables: 5 Erlangs on 10 circuits block 1.84 %', () => {
    expect(erlangB(10, 5)).toBeCloseTo(0.0184, 4);
  });

  it.each([
    // M/M/1: P(wait) is the load; M/M/2: 2ρ² / (1 + ρ) with ρ = A / 2.
    [1, 0.3, 0.3],
    [1, 0.9, 0.9],
    [2, 1, 1 / 3],
    [2, 1.5, (2 * 0.75 ** 2) / 1.75],
  ])('closed forms: %i agents at %f Erlangs wait with probability %f', (agents, traffic, p) => {
    expect(probabilityOfWaiting(agents, traffic)).toBeCloseTo(p, 12);
  });
});

describe('Erlang C at the edges', () => {
  it('stays finite for a thousand agents, where N! overflows a double', () => {
    const waiting = probabilityOfWaiting(1000, 950);
    expect(waiting).toBeGreaterThan(0);
    expect(waiting).toBeLessThan(1);
    expect(serviceLevel(1000, 950, 180, 20)).toBeGreaterThan(0.99);
  });

  it('agents who cannot keep up leave everyone waiting, with no service level', () => {
    expect(probabilityOfWaiting(10, 10)).toBe(1);
    expect(serviceLevel(9, 10, 180, 20)).toBe(0);
    expect(averageSpeedOfAnswer(10, 10, 180)).toBe(Number.POSITIVE_INFINITY);
  });

  it('no arrivals need no agents', () => {
    expect(
      agentsForServiceLevel({
        arrivalsPerHour: 0,
        handlingSeconds: 300,
        targetSeconds: 60,
        serviceLevel: 0.8,
      }).agents,
    ).toBe(0);
  });

  it('an occupancy cap below what the service level needs adds agents', () => {
    // 10 Erlangs at 80/20 need 14 agents (71 % busy); a 60 % cap needs ⌈10 / 0.6⌉ = 17.
    const capped = agentsForServiceLevel({
      arrivalsPerHour: 200,
      handlingSeconds: 180,
      targetSeconds: 20,
      serviceLevel: 0.8,
      maxOccupancy: 0.6,
    });
    expect(capped.agents).toBe(17);
  });

  it.each([
    [{ arrivalsPerHour: -1 }, /arrivalsPerHour/],
    [{ handlingSeconds: 0 }, /handlingSeconds/],
    [{ serviceLevel: 1 }, /serviceLevel/],
    [{ serviceLevel: 0 }, /serviceLevel/],
    [{ maxOccupancy: 1.2 }, /maxOccupancy/],
  ])('refuses %o with a clear message', (change, message) => {
    const target = {
      arrivalsPerHour: 10,
      handlingSeconds: 300,
      targetSeconds: 60,
      serviceLevel: 0.8,
      ...change,
    };
    expect(() => agentsForServiceLevel(target)).toThrow(message);
  });

  it('refuses a shrinkage of 100 % or more', () => {
    expect(() => withShrinkage(3, 1)).toThrow(/shrinkage/);
  });
});
