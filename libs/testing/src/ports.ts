import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * A port nobody listens on now, for a service that must know its address before it starts.
 *
 * It is drawn from below the kernel's ephemeral range: a port the kernel handed out (listen(0))
 * and released is soon handed out again as the local end of some outgoing connection — a Kafka
 * or Postgres client of a test running beside — and the service's listen then fails with
 * EADDRINUSE. Ports under the range are only ever taken by someone who asks for them by number.
 * The chaos harness's fixed ports (13xxx–19xxx) stay below the draw.
 */
export async function freePort(): Promise<number> {
  const ceiling = ephemeralRangeStart() - 1;
  const floor = Math.min(20_000, ceiling - 1_000);
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = floor + Math.floor(Math.random() * (ceiling - floor + 1));
    if (await nobodyListensOn(port)) return port;
  }
  throw new Error(`no free port found between ${floor} and ${ceiling} after 50 tries`);
}

function ephemeralRangeStart(): number {
  try {
    const [start] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/);
    return Number(start) || 32_768;
  } catch {
    return 32_768; // Linux's default
  }
}

function nobodyListensOn(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}
