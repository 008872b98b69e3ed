import { Channel, timestampFromDate } from '@firstline/contracts';
import type { AgentApi } from '@firstline/testing';
import { decision, TicketsUnderTest, waitFor } from './support';

interface StaffingHour {
  weekday: number;
  hour: number;
  arrivals: number;
  arrivalsByChannel: Record<string, number>;
  agentsNeeded: number | null;
  agentsOnline: number;
  openShare: number;
  flags: string[];
}

interface StaffingPlan {
  teamId: string;
  weeks: number;
  timeZone: string;
  channels: Array<{ channel: string; arrivals: number; handlingSeconds: number | null }>;
  hours: StaffingHour[];
  closedDaysWithTraffic: Array<{ date: string; weekday: number; arrivals: number }>;
  presenceLoggedSince: string | null;
}

const HOUR_MS = 3_600_000;
const BERLIN = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Berlin',
  weekday: 'short',
  hour: 'numeric',
  minute: 'numeric',
  hourCycle: 'h23',
});
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** Weekday (Monday = 1), hour and minute of an instant on the demo's office calendar. */
function berlin(at: Date) {
  const parts = Object.fromEntries(BERLIN.formatToParts(at).map((p) => [p.type, p.value]));
  return {
    weekday: WEEKDAYS.indexOf(parts.weekday) + 1,
    hour: Number(parts.hour),
    minute: Number(parts.minute),
  };
}

/**
 * The latest start of the given Berlin weekday and hour at least two hours before now: within the
 * last week and two hours, so inside a window of two weeks whenever the test runs.
 */
function lastOccurrence(weekday: number, hour: number): Date {
  let t = Math.floor((Date.now() - 2 * HOUR_MS) / (15 * 60_000)) * 15 * 60_000;
  for (;;) {
    const local = berlin(new Date(t));
    if (local.weekday === weekday && local.hour === hour && local.minute === 0) return new Date(t);
    t -= 15 * 60_000;
  }
}

/**
 * The staffing planner on the tickets API, over a week of traffic stored the way the service
 * stores it: tickets from routing decisions on the real broker, presence through
 * `PUT /me/presence`. The demo's first line works Monday to Friday, 9–18 in Berlin, and answers
 * messengers within a minute. The plan averages over two weeks, the scripted one and a quiet one.
 */
describe('GET /api/v1/planning/staffing', () => {
  let tickets: TicketsUnderTest;
  let ann: AgentApi;
  let supervisor: AgentApi;
  const wednesday10 = lastOccurrence(3, 10);
  const saturday12 = lastOccurrence(6, 12);
  const minutes = (from: Date, n: number) => new Date(from.getTime() + n * 60_000);

  beforeAll(async () => {
    tickets = await TicketsUnderTest.start();
    [ann, supervisor] = await Promise.all([
      tickets.login('ann@firstline.example'),
      tickets.login('supervisor@firstline.example'),
    ]);
    // Six Telegram conversations on Wednesday from 10:00, two on Saturday, when the office is shut.
    const arrivals = [0, 10, 20, 30, 40, 50]
      .map((n) => minutes(wednesday10, n))
      .concat([minutes(saturday12, 5), minutes(saturday12, 50)]);
    const routed = arrivals.map((at) => {
      const routedAt = decision({ teamId: 'first-line', decidedAt: timestampFromDate(at) });
      routedAt.message!.channel = Channel.TELEGRAM;
      routedAt.message!.receivedAt = timestampFromDate(at);
      return routedAt;
    });
    await tickets.publishDecisions(routed);
    await waitFor(async () => {
      const [{ count }] = await tickets.query<{ count: number }>(
        `SELECT count(*)::int AS count FROM tickets.ticket WHERE team_id = 'first-line'`,
      );
      return count === routed.length || undefined;
    }, 60_000);
    // First responses of a past week cannot be given now: they are stored as a reply stores them,
    // 300, 600 and 900 s after arrival, twice over. Saturday's are not answered.
    const handling = [300, 600, 900, 300, 600, 900];
    for (const [index, seconds] of handling.entries()) {
      await tickets.query(
        `UPDATE tickets.ticket SET first_responded_at = created_at + make_interval(secs => $2)
          WHERE id = $1`,
        [routed[index].ticketId, seconds],
      );
    }
    // Ann was online from Wednesday 10:00 to 11:30: her two presence changes, moved to then.
    await ann.ok('PUT', '/me/presence', { presence: 'online' });
    await ann.ok('PUT', '/me/presence', { presence: 'offline' });
    const changes = await tickets.query<{ seq: string }>(
      `SELECT seq FROM tickets.agent_presence_change WHERE agent_id = 'ann' ORDER BY seq DESC LIMIT 2`,
    );
    await tickets.query(`UPDATE tickets.agent_presence_change SET changed_at = $2 WHERE seq = $1`, [
      changes[1].seq,
      wednesday10,
    ]);
    await tickets.query(`UPDATE tickets.agent_presence_change SET changed_at = $2 WHERE seq = $1`, [
      changes[0].seq,
      minutes(wednesday10, 90),
    ]);
  }, 180_000);

  afterAll(async () => {
    await tickets?.stop();
  });

  const plan = async () =>
    supervisor.ok<StaffingPlan>('GET', '/planning/staffing?team=first-line&weeks=2');
  const hourOf = (p: StaffingPlan, weekday: number, hour: number) =>
    p.hours.find((h) => h.weekday === weekday && h.hour === hour)!;

  it('Wednesday 10:00: 3 Telegrams an hour of 600 s need 2 agents; Ann was online half the time', async () => {
    // 6 arrivals in 2 weeks: 3 an hour × 600 s = 0.5 Erlang. 1 agent answers 1 − 0.5 · e^(−0.5·0.1)
    // = 52.4 % within the minute; 2 agents: P(wait) = 0.1, 1 − 0.1 · e^(−1.5·0.1) = 91.4 % ≥ 80 %.
    const result = await plan();
    expect(result).toMatchObject({ teamId: 'first-line', weeks: 2, timeZone: 'Europe/Berlin' });
    expect(result.hours).toHaveLength(168);
    expect(result.channels).toEqual([
      { channel: 'telegram', arrivals: 8, handlingSeconds: 600, targetSeconds: 60 },
    ]);
    expect(hourOf(result, 3, 10)).toEqual({
      weekday: 3,
      hour: 10,
      arrivals: 3,
      arrivalsByChannel: { telegram: 3 },
      agentsNeeded: 2,
      agentsOnline: 0.5,
      openShare: 1,
      flags: ['understaffed'],
    });
    // Ann's last half hour, and no traffic: a quarter agent more than needed is no overstaffing.
    expect(hourOf(result, 3, 11)).toMatchObject({
      arrivals: 0,
      agentsNeeded: 0,
      agentsOnline: 0.25,
      flags: [],
    });
    expect(result.presenceLoggedSince).not.toBeNull();
  });

  it('Saturday noon: closed, yet Telegrams came; planned on 600 s they need an agent', async () => {
    // 2 arrivals in 2 weeks: 1 an hour × 600 s = 1/6 Erlang; 1 agent: P(wait) = 1/6, and
    // 1 − 1/6 · e^(−(5/6)·0.1) = 84.7 % ≥ 80 %.
    const result = await plan();
    expect(hourOf(result, 6, 12)).toMatchObject({
      arrivals: 1,
      agentsNeeded: 1,
      agentsOnline: 0,
      openShare: 0,
      flags: ['understaffed', 'closed-with-traffic'],
    });
    const saturday = saturday12.toISOString().slice(0, 10); // noon in Berlin: the same date
    expect(result.closedDaysWithTraffic).toEqual([{ date: saturday, weekday: 6, arrivals: 2 }]);
  });

  it('with a shrinkage of 25 %, 2 agents answering means 3 to schedule', async () => {
    const result = await supervisor.ok<StaffingPlan>(
      'GET',
      '/planning/staffing?team=first-line&weeks=2&shrinkage=25',
    );
    expect(hourOf(result, 3, 10).agentsNeeded).toBe(3); // 2 / 0.75 = 2.67
  });

  it('is for supervisors and admins, about a team that exists, over 1 to 13 weeks', async () => {
    expect((await ann.call('GET', '/planning/staffing?team=first-line')).status).toBe(403);
    expect((await supervisor.call('GET', '/planning/staffing?team=nobody')).status).toBe(404);
    for (const query of ['team=first-line&weeks=0', 'team=first-line&weeks=14', 'weeks=2']) {
      expect((await supervisor.call('GET', `/planning/staffing?${query}`)).status).toBe(400);
    }
  });
});
