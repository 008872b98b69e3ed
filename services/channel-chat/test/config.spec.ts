import { loadChatConfig } from '../src/config';

const secret = { CHAT_TOKEN_SECRET: 'a-chat-token-secret-of-32-characters!' };

describe('CHAT_PING_SECONDS', () => {
  it('pings every 25 seconds unless told otherwise, under the minute proxies wait', () => {
    expect(loadChatConfig(secret).pingMs).toBe(25_000);
    expect(loadChatConfig({ ...secret, CHAT_PING_SECONDS: '10' }).pingMs).toBe(10_000);
  });

  it.each([
    ['0', /CHAT_PING_SECONDS.*must be at least 1/],
    ['60', /CHAT_PING_SECONDS.*must be at most 55/],
    ['often', /CHAT_PING_SECONDS.*must be a number of seconds/],
  ])('refuses %s with the reason', (value, reason) => {
    expect(() => loadChatConfig({ ...secret, CHAT_PING_SECONDS: value })).toThrow(reason);
  });
});

describe('CHAT_MESSAGES_PER_MINUTE', () => {
  it('lets a visitor send 30 messages a minute unless told otherwise', () => {
    expect(loadChatConfig(secret).messagesPerMinute).toBe(30);
    expect(loadChatConfig({ ...secret, CHAT_MESSAGES_PER_MINUTE: '120' }).messagesPerMinute).toBe(
      120,
    );
  });

  it('refuses no messages at all', () => {
    expect(() => loadChatConfig({ ...secret, CHAT_MESSAGES_PER_MINUTE: '0' })).toThrow(
      /CHAT_MESSAGES_PER_MINUTE.*must be at least 1/,
    );
  });
});

describe('the limits on new visitors and open windows', () => {
  it('lets an address start 30 visitors a minute and a visitor hold 30 windows, by default', () => {
    const config = loadChatConfig(secret);
    expect(config.sessionsPerMinute).toBe(30);
    expect(config.connectionsPerVisitor).toBe(30);
    expect(config.trustedProxyHops).toBe(0);
  });

  it.each([
    ['CHAT_SESSIONS_PER_MINUTE', '0', /CHAT_SESSIONS_PER_MINUTE.*must be at least 1/],
    ['CHAT_CONNECTIONS_PER_VISITOR', 'many', /CHAT_CONNECTIONS_PER_VISITOR.*must be a number/],
    ['CHAT_TRUSTED_PROXY_HOPS', '-1', /CHAT_TRUSTED_PROXY_HOPS.*must be 0 or more/],
  ])('refuses %s=%s with the reason', (variable, value, reason) => {
    expect(() => loadChatConfig({ ...secret, [variable]: value })).toThrow(reason);
  });
});
