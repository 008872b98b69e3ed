import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** What the stub answers to `RCPT TO:<address>`, given how often that address was tried before. */
export type RecipientPolicy = (address: string, earlierAttempts: number) => string;

export interface SmtpStub {
  port: number;
  /** When each `RCPT TO` arrived (ms since the epoch), by address. */
  attempts: Map<string, number[]>;
  /** The addresses whose mail was accepted after DATA. */
  delivered: string[];
  close(): Promise<void>;
}

/**
 * A minimal SMTP server over node:net: enough of RFC 5321 for nodemailer (EHLO without
 * extensions, so no STARTTLS or AUTH), answering RCPT as `policy` says and accepting everything
 * else. For the replies a real server gives rarely and GreenMail never: 4xx and 5xx.
 */
export async function startSmtpStub(policy: RecipientPolicy): Promise<SmtpStub> {
  const attempts = new Map<string, number[]>();
  const delivered: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffer = '';
    let inData = false;
    let recipients: string[] = [];
    const reply = (line: string) => socket.write(`${line}\r\n`);
    reply('220 stub.firstline.test ESMTP');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          buffer = buffer.slice(end + 5);
          inData = false;
          delivered.push(...recipients);
          reply('250 2.0.0 queued');
          continue;
        }
        const newline = buffer.indexOf('\r\n');
        if (newline < 0) return;
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') reply('250 stub.firstline.test');
        else if (verb === 'MAIL') {
          recipients = [];
          reply('250 2.1.0 ok');
        } else if (verb === 'RCPT') {
          const address = /<([^>]*)>/.exec(line)?.[1] ?? '';
          const times = attempts.get(address) ?? [];
          const answer = policy(address, times.length);
          times.push(Date.now());
          attempts.set(address, times);
          if (answer.startsWith('2')) recipients.push(address);
          reply(answer);
        } else if (verb === 'DATA') {
          inData = true;
          reply('354 end with <CRLF>.<CRLF>');
        } else if (verb === 'QUIT') {
          reply('221 2.0.0 bye');
          socket.end();
        } else reply('250 ok'); // RSET, NOOP
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    attempts,
    delivered,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
