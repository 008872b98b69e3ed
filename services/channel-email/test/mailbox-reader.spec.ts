import { Logger } from '@nestjs/common';
import { createServer, type Server } from 'node:net';
import { MailboxReader } from '../src/inbound/mailbox-reader';

describe('MailboxReader', () => {
  let server: Server;
  let connections: number[];

  beforeAll(async () => {
    Logger.overrideLogger(false);
    connections = [];
    // A server that hangs up at once, like an IMAP server going down.
    server = createServer((socket) => {
      connections.push(Date.now());
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('reconnects with growing delays, publishes nothing meanwhile, and stops while waiting', async () => {
    const port = (server.address() as { port: number }).port;
    const publish = jest.fn();
    const reader = new MailboxReader(
      {
        name: 'down@127.0.0.1/INBOX',
        host: '127.0.0.1',
        port,
        secure: false,
        user: 'down',
        password: 'x',
        folder: 'INBOX',
        processed: { action: 'seen' },
      },
      {
        pollIntervalMs: 100,
        batchSize: 10,
        openSource: async () => ({
          name: 'email:down@127.0.0.1/INBOX',
          checkpoint: undefined,
          publish: jest.fn(),
          close: async () => undefined,
        }),
        checkpoint: jest.fn(),
        saveCheckpoint: jest.fn(),
        publish,
      },
    );
    reader.start();
    while (connections.length < 3) await new Promise((resolve) => setTimeout(resolve, 20));
    // Now waiting about 4 s before the fourth attempt: stop() must not wait for it.
    const stopping = Date.now();
    await reader.stop();

    expect(Date.now() - stopping).toBeLessThan(1_000);
    expect(connections).toHaveLength(3);
    expect(publish).not.toHaveBeenCalled();
    // About 1 s, then about 2 s: the delay doubles after each failure.
    expect(connections[1] - connections[0]).toBeGreaterThanOrEqual(900);
    expect(connections[2] - connections[1]).toBeGreaterThanOrEqual(1_900);
  }, 15_000);
});
