import { RateLimiter } from '../src';

describe('rate limits', () => {
  it('allow the limit per window, then say how long to wait', () => {
    const limiter = new RateLimiter(2, 60_000);
    expect(limiter.take('ip:1', 0)).toEqual({ allowed: true });
    expect(limiter.take('ip:1', 1_000)).toEqual({ allowed: true });
    expect(limiter.take('ip:1', 20_000)).toEqual({ allowed: false, retryAfterSeconds: 40 });
    expect(limiter.take('ip:2', 20_000)).toEqual({ allowed: true });
    expect(limiter.take('ip:1', 60_000)).toEqual({ allowed: true });
  });
});
