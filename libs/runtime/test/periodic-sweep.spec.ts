import { Logger } from '@nestjs/common';
import { PeriodicSweep } from '../src';

/** A sweep whose rounds the test finishes by hand, counting how many began. */
class ManualSweep extends PeriodicSweep {
  began = 0;
  private finish: Array<(outcome: Error | undefined) => void> = [];

  constructor() {
    super({ what: 'Manual round', everyMs: 1_000 });
  }

  protected round(): Promise<void> {
    this.began += 1;
    return new Promise((resolve, reject) =>
      this.finish.push((error) => (error ? reject(error) : resolve())),
    );
  }

  end(error?: Error): Promise<void> {
    this.finish.shift()?.(error);
    // Lets the sweep see the round's outcome.
    return new Promise((resolve) => setImmediate(resolve));
  }
}

describe('a periodic sweep', () => {
  let sweep: ManualSweep;

  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    sweep = new ManualSweep();
    sweep.onApplicationBootstrap();
  });

  afterEach(() => jest.useRealTimers());

  it('runs a round each period, never two at once', async () => {
    jest.advanceTimersByTime(1_000);
    expect(sweep.began).toBe(1);
    jest.advanceTimersByTime(3_000);
    expect(sweep.began).toBe(1);
    await sweep.end();
    jest.advanceTimersByTime(1_000);
    expect(sweep.began).toBe(2);
    await sweep.end();
    await sweep.onModuleDestroy();
  });

  it('logs a failed round and runs the next', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.advanceTimersByTime(1_000);
    await sweep.end(new Error('database restarting'));
    expect(warn).toHaveBeenCalledWith(
      'Manual round failed; retrying next round: Error: database restarting',
    );
    jest.advanceTimersByTime(1_000);
    expect(sweep.began).toBe(2);
    await sweep.end();
    await sweep.onModuleDestroy();
    warn.mockRestore();
  });

  it('on shutdown starts no round and waits for the running one', async () => {
    jest.advanceTimersByTime(1_000);
    let stopped = false;
    const stopping = sweep.onModuleDestroy().then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    await sweep.end();
    await stopping;
    jest.advanceTimersByTime(5_000);
    expect(sweep.began).toBe(1);
  });
});
