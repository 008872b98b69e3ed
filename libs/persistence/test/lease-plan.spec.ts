import { fairShare, planLeases, type LeaseState } from '@firstline/persistence';

const resources = (n: number) => Array.from({ length: n }, (_, i) => `mailbox-${i + 1}`);
const state = (holders: Record<string, string | null>): LeaseState[] =>
  Object.entries(holders).map(([resource, liveHolder]) => ({ resource, liveHolder }));

describe('fairShare', () => {
  it.each([
    [10, 3, 4],
    [10, 2, 5],
    [10, 1, 10],
    [3, 2, 2],
    [2, 3, 1],
    [0, 2, 0],
    [5, 0, 5],
  ])('%i resources among %i live replicas: at most %i each', (count, replicas, share) => {
    expect(fairShare(count, replicas)).toBe(share);
  });
});

describe('planLeases', () => {
  it('a replica alone takes every free resource', () => {
    const plan = planLeases('a', state(Object.fromEntries(resources(10).map((r) => [r, null]))), 1);
    expect(plan.take.sort()).toEqual(resources(10).sort());
    expect(plan.release).toEqual([]);
  });

  it('three replicas starting together each reach for their share, and together for all', () => {
    const free = state(Object.fromEntries(resources(10).map((r) => [r, null])));
    const wanted = ['a', 'b', 'c'].map((holder) => planLeases(holder, free, 3).take);
    for (const take of wanted) expect(take).toHaveLength(4);
    // Different preferences: the first choices are not all the same resource.
    expect(new Set(wanted.map((take) => take[0])).size).toBeGreaterThan(1);
  });

  it('takes only up to its share, counting what it already holds', () => {
    const leases = state({ m1: 'a', m2: 'a', m3: null, m4: null, m5: 'b', m6: null });
    expect(planLeases('a', leases, 2).take).toHaveLength(1);
  });

  it('never takes a resource another live replica holds', () => {
    const leases = state({ m1: 'b', m2: 'b', m3: 'c' });
    expect(planLeases('a', leases, 3)).toEqual({ take: [], release: [] });
  });

  it('a replica holding everything releases down to its share when another joins', () => {
    const leases = state(Object.fromEntries(resources(10).map((r) => [r, 'a'])));
    const plan = planLeases('a', leases, 2);
    expect(plan.release).toHaveLength(5);
    expect(plan.take).toEqual([]);
    // The same ones each round: a replica does not release one and then another.
    expect(planLeases('a', leases, 2).release).toEqual(plan.release);
  });

  it('the survivors of a dead replica take its expired leases once it no longer counts', () => {
    const leases = state({ m1: 'a', m2: 'a', m3: 'b', m4: 'b', m5: null, m6: null });
    expect(planLeases('a', leases, 3).take).toEqual([]);
    expect(planLeases('a', leases, 2).take).toHaveLength(1);
    expect(planLeases('b', leases, 2).take).toHaveLength(1);
  });
});
