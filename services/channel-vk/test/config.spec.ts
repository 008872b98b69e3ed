import { loadVkConfig } from '../src/config';

const longPoll = { groupId: 1, token: 't', mode: 'longpoll' };

describe('VK_COMMUNITIES', () => {
  it('reads callback and long-poll communities, with the API version pinned by default', () => {
    const callback = {
      groupId: 2,
      token: 't',
      mode: 'callback',
      confirmationCode: 'c',
      secret: 's',
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
  ])('stops with one line naming the variable for %s', (value, problem) => {
    const load = () => loadVkConfig({ VK_COMMUNITIES: value });
    expect(load).toThrow(/^configuration error: VK_COMMUNITIES is invalid: [^\n]+$/);
    expect(load).toThrow(problem);
    expect(load).not.toThrow(/"t"/); // never echoes a token
  });
});
