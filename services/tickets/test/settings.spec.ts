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

  it.each([
    ['npm start', 'embedded', undefined, true],
    ['a service alone', 'standalone', undefined, false],
    ['a service alone with FIRSTLINE_DEMO=1', 'standalone', '1', true],
    ['npm start with FIRSTLINE_DEMO=0', 'embedded', '0', false],
  ] as const)('seeds the demo in %s: %s', (_case, mode, flag, demo) => {
    expect(new TicketsSettings({ FIRSTLINE_DEMO: flag }, mode).demo).toBe(demo);
  });

  it('takes the first admin from the environment, lower-cased, or a default address', () => {
    expect(new TicketsSettings({}).firstAdmin).toEqual({ email: 'admin@firstline.invalid' });
    expect(
      new TicketsSettings({
        FIRSTLINE_ADMIN_EMAIL: 'Owner@Shop.example',
        FIRSTLINE_ADMIN_PASSWORD: 'long enough secret',
      }).firstAdmin,
    ).toEqual({ email: 'owner@shop.example', password: 'long enough secret' });
  });

  it.each([
    ['the demo password', 'firstline-demo', 'must not be the demo password'],
    ['too short', 'short', 'must be at least 10 characters'],
  ])(
    'refuses FIRSTLINE_ADMIN_PASSWORD that is %s, without repeating it',
    (_case, value, problem) => {
      const attempt = () => new TicketsSettings({ FIRSTLINE_ADMIN_PASSWORD: value });
      expect(attempt).toThrow(`FIRSTLINE_ADMIN_PASSWORD is invalid: ${problem}`);
    },
  );
});
