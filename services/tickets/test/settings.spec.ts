import { ConfigError } from '@firstline/config';
import { DEFAULT_KPI_TARGETS } from '@firstline/ticketing';
import { TicketsSettings } from '../src/tickets-settings';

describe('the tickets service settings', () => {
  it('takes KPI targets over the defaults', () => {
    const settings = new TicketsSettings({
      TICKETS_KPI_TARGETS: '{"backlog": {"green": 5, "yellow": 10, "higherIsBetter": false}}',
    });
    expect(settings.kpiTargets).toEqual({
      ...DEFAULT_KPI_TARGETS,
      backlog: { green: 5, yellow: 10, higherIsBetter: false },
    });
  });

  it.each([
    ['not JSON', '{backlog', 'must be JSON'],
    ['an unknown KPI', '{"speed": {"green": 1, "yellow": 2, "higherIsBetter": false}}', 'speed'],
    [
      'green worse than yellow',
      '{"csatAverage": {"green": 3, "yellow": 4, "higherIsBetter": true}}',
      'green bound must be better',
    ],
  ])('refuses KPI targets that are %s, naming the variable', (_case, value, problem) => {
    const attempt = () => new TicketsSettings({ TICKETS_KPI_TARGETS: value });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/TICKETS_KPI_TARGETS/);
    expect(attempt).toThrow(new RegExp(problem));
  });
});
