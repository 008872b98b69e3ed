import { kpiZone, slaZone, yellowFrom } from '../src';

const startedAt = new Date('2026-11-02T09:00:00Z');
const dueAt = new Date('2026-11-02T13:00:00Z'); // four hours
const at = (time: string) => new Date(`2026-11-02T${time}Z`);

describe('SLA zones', () => {
  it.each`
    now           | zone
    ${'09:00:00'} | ${'green'}
    ${'11:59:59'} | ${'green'}
    ${'12:00:00'} | ${'yellow'}
    ${'12:59:59'} | ${'yellow'}
    ${'13:00:00'} | ${'red'}
    ${'18:00:00'} | ${'red'}
  `('a ticket due at 13:00 is $zone at $now', ({ now, zone }) => {
    expect(slaZone({ startedAt, dueAt }, at(now))).toBe(zone);
  });

  it('uses the configured yellow threshold', () => {
    expect(slaZone({ startedAt, dueAt }, at('10:00:00'), { yellowAfterShare: 0.25 })).toBe(
      'yellow',
    );
  });

  it('keeps a ticket without a due time green', () => {
    expect(slaZone({ startedAt }, at('23:00:00'))).toBe('green');
  });

  it('turns yellow at three quarters of the window by default', () => {
    expect(yellowFrom({ startedAt, dueAt })).toEqual(at('12:00:00'));
  });
});

describe('KPI zones', () => {
  const csat = { green: 4.5, yellow: 4, higherIsBetter: true };
  const firstResponseMinutes = { green: 30, yellow: 60, higherIsBetter: false };
  it.each`
    value  | thresholds              | zone
    ${4.6} | ${csat}                 | ${'green'}
    ${4.5} | ${csat}                 | ${'green'}
    ${4.2} | ${csat}                 | ${'yellow'}
    ${3.9} | ${csat}                 | ${'red'}
    ${20}  | ${firstResponseMinutes} | ${'green'}
    ${45}  | ${firstResponseMinutes} | ${'yellow'}
    ${61}  | ${firstResponseMinutes} | ${'red'}
  `('$value is $zone', ({ value, thresholds, zone }) => {
    expect(kpiZone(value, thresholds)).toBe(zone);
  });
});
