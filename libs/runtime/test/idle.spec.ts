import { Module } from '@nestjs/common';
import { idleReason, startIdle, type RunningService, type ServiceDefinition } from '../src';

@Module({})
class NothingModule {}

const channel: ServiceDefinition = {
  name: 'channel-example',
  schema: 'channel_example',
  module: NothingModule,
  migrations: [],
  defaultPort: 0,
  enabledInEmbeddedMode: (env) => Boolean(env.EXAMPLE_BOTS),
  idleWithout: 'EXAMPLE_BOTS',
};

describe('a channel started without what it works on', () => {
  test.each([
    [{}, 'EXAMPLE_BOTS is not set'],
    [{ EXAMPLE_BOTS: '  ' }, 'EXAMPLE_BOTS is not set'],
    [{ EXAMPLE_BOTS: '[{"name":"support"}]' }, undefined],
  ])('with %j the reason to idle is %s', (env, reason) => {
    expect(idleReason(channel, env)).toBe(reason);
  });

  test('a service that always has work never idles', () => {
    expect(idleReason({ ...channel, idleWithout: undefined }, {})).toBeUndefined();
  });

  describe('while idle', () => {
    let idle: RunningService;
    beforeAll(async () => {
      idle = await startIdle(channel, 'EXAMPLE_BOTS is not set', {
        host: '127.0.0.1',
        port: 0,
        logLevel: 'silent',
      });
    });
    afterAll(() => idle.stop());

    test('answers /health, so an orchestrator keeps it up instead of restarting it', async () => {
      const response = await fetch(`${idle.url}/health`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status: 'ok' });
    });

    test('exposes its process metrics under its name', async () => {
      const text = await (await fetch(`${idle.url}/metrics`)).text();
      expect(text).toContain('service="channel-example"');
    });
  });
});
