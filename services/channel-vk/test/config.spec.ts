import { loadVkConfig } from '../src/config';

const longPoll = { groupId: 1, token: 't', mode: 'longpoll' };

describe('VK_COMMUNITIES', () => {
  it('reads callback and long-poll communities, with the API version pinned by default', () => {
    const callback = {
      groupId: 2,
      token: 't',
      mode: 'callback',
      confirmationCode: 'c',
      secret: 'Zq3vT9kLm2Np8RwX',
    };
    const config = loadVkConfig({ VK_COMMUNITIES: JSON.stringify([longPoll, callback]) });
    expect(config.communities).toEqual([longPoll, callback]);
    expect(config.api).toEqual({ url: 'https://api.vk.com/method', version: '5.199' });
  });

  it.each([
    ['x', 'must be JSON'],
    ['[]', 'must name at least one community'],
    [JSON.stringify([{ groupId: 1, mode: 'longpoll' }]), 'community [0] token'],
    [
      JSON.stringify([{ ...longPoll, mode: 'callback', secret: 's' }]),
      'community [0] confirmationCode',
    ],
    [JSON.stringify([longPoll, longPoll]), 'names a groupId twice'],
    [
      JSON.stringify([{ ...longPoll, mode: 'callback', confirmationCode: 'c', secret: 's3cret' }]),
      'community [0] secret: secret must be at least 16 characters, so it cannot be guessed',
    ],
    [
      JSON.stringify([
        { ...longPoll, mode: 'callback', confirmationCode: 'c', secret: 'x'.repeat(51) },
      ]),
      'community [0] secret: secret must be at most 50 characters',
    ],
  ])('stops with one line naming the variable for %s', (value, problem) => {
    const load = () => loadVkConfig({ VK_COMMUNITIES: value });
    expect(load).toThrow(/^configuration error: VK_COMMUNITIES is invalid: [^\n]+$/);
    expect(load).toThrow(problem);
    expect(load).not.toThrow(/"t"/); // never echoes a token
  });
});

describe('housekeeping variables', () => {
  const communities = JSON.stringify([longPoll]);

  it('keeps event ids a day, names and handled messages a week, purging hourly, unless told otherwise', () => {
    expect(loadVkConfig({ VK_COMMUNITIES: communities }).housekeeping).toEqual({
      seenEventRetentionMs: 24 * 3_600_000,
      userNameTtlMs: 7 * 24 * 3_600_000,
      sentMessageRetentionMs: 7 * 24 * 3_600_000,
      intervalMs: 3_600_000,
    });
    expect(
      loadVkConfig({
        VK_COMMUNITIES: communities,
        VK_SEEN_EVENT_RETENTION_HOURS: '2',
        VK_USER_NAME_TTL_HOURS: '48',
        VK_SENT_MESSAGE_RETENTION_HOURS: '72',
        VK_PURGE_INTERVAL_SECONDS: '60',
      }).housekeeping,
    ).toEqual({
      seenEventRetentionMs: 2 * 3_600_000,
      userNameTtlMs: 48 * 3_600_000,
      sentMessageRetentionMs: 72 * 3_600_000,
      intervalMs: 60_000,
    });
  });

  it('stops with one line naming a variable that is not a positive whole number', () => {
    expect(() =>
      loadVkConfig({ VK_COMMUNITIES: communities, VK_SEEN_EVENT_RETENTION_HOURS: '0' }),
    ).toThrow(/^configuration error: VK_SEEN_EVENT_RETENTION_HOURS [^\n]+$/);
  });
});
