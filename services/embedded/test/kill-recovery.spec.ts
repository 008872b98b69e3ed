import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildDist, waitFor } from '@firstline/testing';
import { killed, startFirstline, type Started } from './support';

const CLIENTS = 16;
const KILL_AFTER_MS = 4_000;
const DEMO_ADMIN = { email: 'admin@firstline.example', password: 'firstline-demo' };

/** The limits are for robots; these clients are many customers behind one address. */
const generousLimits = {
  WEBFORM_RATE_LIMIT_PER_IP: '1000000',
  WEBFORM_RATE_LIMIT_PER_EMAIL: '1000000',
};

/**
 * One customer after another posting the contact form until the process dies under them;
 * returns the idempotency keys of the submissions answered 2xx.
 */
async function postUntilKilled(webform: string, client: number): Promise<string[]> {
  const accepted: string[] = [];
  for (let n = 0; ; n += 1) {
    const key = randomUUID();
    let status: number;
    try {
      const response = await fetch(`${webform}/webform/forms/contact/submissions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify({
          name: `Customer ${client}-${n}`,
          email: `customer-${client}-${n}@kill.example`,
          topic: 'billing',
          message: `Submission ${key}`,
        }),
      });
      status = response.status;
      await response.arrayBuffer();
    } catch {
      return accepted; // the process is gone
    }
    if (status >= 200 && status < 300) accepted.push(key);
    else throw new Error(`submission refused with ${status} while the process was up`);
  }
}

async function signIn(tickets: string): Promise<string> {
  const response = await fetch(`${tickets}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(DEMO_ADMIN),
  });
  if (!response.ok) throw new Error(`sign-in failed with ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}

interface QueuePage {
  tickets: Array<{ id: string }>;
  next: string | null;
}

interface TicketView {
  ticket: { id: string };
  messages: Array<{ id: string; direction: string }>;
}

/** Reads every web-form ticket once through the agents' API; a ticket's first message never changes. */
class TicketReader {
  /** Ticket id → the submission keys its customer messages carry. */
  private readonly keysOfTicket = new Map<string, string[]>();

  constructor(
    private readonly tickets: string,
    private readonly token: string,
  ) {}

  async refresh(): Promise<void> {
    for (let after: string | null = null, first = true; first || after; first = false) {
      const page: QueuePage = await this.get<QueuePage>(
        `/api/v1/queue?view=all&channel=webform&limit=200${after ? `&after=${after}` : ''}`,
      );
      for (const { id } of page.tickets) {
        if (this.keysOfTicket.has(id)) continue;
        const view = await this.get<TicketView>(`/api/v1/tickets/${id}`);
        // A submission's message id is `webform:<its idempotency key>` (docs/adr/0010).
        const keys = view.messages
          .filter((message) => message.direction === 'in' && message.id.startsWith('webform:'))
          .map((message) => message.id.slice('webform:'.length));
        this.keysOfTicket.set(id, keys);
      }
      after = page.next;
    }
  }

  /** Submission key → how many times it reached a ticket. */
  arrivals(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const keys of this.keysOfTicket.values()) {
      for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  }

  private async get<T>(path: string): Promise<T> {
    const response = await fetch(`${this.tickets}${path}`, {
      headers: { authorization: `Bearer ${this.token}` },
    });
    if (!response.ok) throw new Error(`GET ${path} answered ${response.status}`);
    return (await response.json()) as T;
  }
}

describe('the embedded process killed mid-traffic (kill -9)', () => {
  let dataDir: string;
  let running: Started | undefined;

  beforeAll(() => {
    buildDist();
    dataDir = mkdtempSync(join(tmpdir(), 'firstline-kill-'));
  });
  afterAll(async () => {
    if (running) await killed(running.child, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('turns every submission it answered 2xx into exactly one ticket after a restart', async () => {
    running = await startFirstline({ DATA_DIR: dataDir, ...generousLimits });
    const webform = running.urls['channel-webform'];
    const clients = Array.from({ length: CLIENTS }, (_, client) =>
      postUntilKilled(webform, client),
    );
    await sleep(KILL_AFTER_MS);
    await killed(running.child, 'SIGKILL');
    const accepted = (await Promise.all(clients)).flat();
    expect(accepted.length).toBeGreaterThan(0);

    running = await startFirstline({ DATA_DIR: dataDir, ...generousLimits });
    const reader = new TicketReader(running.urls.tickets, await signIn(running.urls.tickets));
    const missing = () => accepted.filter((key) => !reader.arrivals().has(key));
    await waitFor(
      async () => {
        await reader.refresh();
        return missing().length === 0;
      },
      30_000,
      'a ticket for every accepted submission',
    ).catch(() => undefined);

    const arrivals = reader.arrivals();
    const lost = missing();
    const doubled = accepted.filter((key) => (arrivals.get(key) ?? 0) > 1);
    expect({ accepted: accepted.length, lost: lost.length, doubled: doubled.length }).toEqual({
      accepted: accepted.length,
      lost: 0,
      doubled: 0,
    });
  }, 180_000);
});
