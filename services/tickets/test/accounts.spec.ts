import type { AgentApi } from '@firstline/testing';
import { randomUUID } from 'node:crypto';
import { WebSocket } from 'ws';
import { TicketsUnderTest, waitFor } from './support';

interface Account {
  agentId: string;
  email: string;
  name: string;
  role: string;
  teamIds: string[];
  active: boolean;
}

const signIn = (
  tickets: TicketsUnderTest,
  email: string,
  password: string,
  /** The client address a proxy in front of the service reports. */
  forwardedFor?: string,
) =>
  fetch(`${tickets.service.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}),
    },
    body: JSON.stringify({ email, password }),
  });

/**
 * Wrong passwords for `email` from `address` until the back-off after them lasts at least
 * `seconds`, waiting out the shorter ones on the way. The first wait is one second; a slow
 * machine can take that long between two requests, so tests of what happens during a wait
 * make it long enough to be still on when their next request arrives.
 */
async function guessUntilWaitIsAtLeast(
  tickets: TicketsUnderTest,
  email: string,
  address: string,
  seconds: number,
): Promise<void> {
  for (;;) {
    const response = await signIn(tickets, email, 'wrong guess', address);
    if (response.status !== 429) {
      expect(response.status).toBe(401);
      continue;
    }
    const wait = Number(response.headers.get('retry-after'));
    if (wait >= seconds) return;
    await new Promise((resolve) => setTimeout(resolve, wait * 1000));
  }
}

/** An open live connection and how it ended, once it has. */
async function connectLive(tickets: TicketsUnderTest, token: string) {
  const url = `${tickets.service.url.replace('http', 'ws')}/api/v1/live`;
  const socket = new WebSocket(url, ['firstline.v1', token]);
  const received: string[] = [];
  const closed = new Promise<number>((resolve) => socket.on('close', resolve));
  socket.on('message', (data: Buffer) => received.push(data.toString()));
  await waitFor(() => received.some((message) => message.includes('"ready"')) || undefined);
  return { socket, closed };
}

describe('agent accounts in the admin API', () => {
  let tickets: TicketsUnderTest;
  let ada: AgentApi; // admin
  let sam: AgentApi; // supervisor
  const agentId = `nina-${randomUUID().slice(0, 8)}`;
  const email = `${agentId}@firstline.example`;
  const account = {
    agentId,
    email,
    name: 'Nina New',
    role: 'agent',
    password: 'first password',
    teamIds: ['first-line'],
  };

  beforeAll(async () => {
    tickets = await TicketsUnderTest.start();
    [ada, sam] = await Promise.all([
      tickets.login('admin@firstline.example'),
      tickets.login('supervisor@firstline.example'),
    ]);
  }, 120_000);

  afterAll(async () => {
    await tickets?.stop();
  });

  it('creates an agent who can sign in, with a directory entry beside the account', async () => {
    const created = await ada.call<Account>('POST', '/accounts', account);
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      agentId,
      email,
      name: 'Nina New',
      role: 'agent',
      teamIds: ['first-line'],
      active: true,
    });
    expect(JSON.stringify(created.body)).not.toContain('scrypt');

    const nina = await tickets.login(email, 'first password');
    expect((await nina.call('GET', '/me')).body).toMatchObject({
      id: agentId,
      role: 'agent',
      teamIds: ['first-line'],
    });
    const agents = await ada.call<Array<{ id: string; agent: { active: boolean } }>>(
      'GET',
      '/directory/agent',
    );
    expect(agents.body.find((entry) => entry.id === agentId)?.agent.active).toBe(true);
    const [stored] = await tickets.query<{ password_hash: string }>(
      'SELECT password_hash FROM tickets.agent_account WHERE agent_id = $1',
      [agentId],
    );
    expect(stored.password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
  });

  it.each([
    [{ role: 'boss' }, 400, 'role must be one of the following values: agent, supervisor, admin'],
    [{ password: 'short' }, 400, 'password must be longer than or equal to 10 characters'],
    [{ email: 'not an address' }, 400, 'email must be an email'],
    [{ agentId: 'Has Spaces' }, 400, 'agentId must be lower-case letters'],
    [{ agentId: 'other', teamIds: ['no-such-team'] }, 400, 'teamIds: no team no-such-team'],
    [{}, 409, `An account with the id ${agentId}`],
    [{ agentId: 'someone-else' }, 409, `the email ${email} exists`],
  ])('refuses %j with %i', async (change, status, message) => {
    const response = await ada.call<{ message: string }>('POST', '/accounts', {
      ...account,
      ...change,
    });
    expect(response.status).toBe(status);
    expect(response.body.message).toContain(message);
  });

  it('is for admins only', async () => {
    expect((await sam.call('GET', '/accounts')).status).toBe(403);
    expect((await sam.call('POST', '/accounts', account)).status).toBe(403);
    const anonymous = await fetch(`${tickets.service.url}/api/v1/accounts`);
    expect(anonymous.status).toBe(401);
  });

  it('changes a role, effective on the agent’s next request', async () => {
    const nina = await tickets.login(email, 'first password');
    const changed = await ada.call<Account>('PUT', `/accounts/${agentId}/role`, {
      role: 'supervisor',
    });
    expect(changed.status).toBe(200);
    expect(changed.body.role).toBe('supervisor');
    expect((await nina.call('GET', '/me')).body).toMatchObject({ role: 'supervisor' });
    expect((await nina.call('GET', '/queue?view=all')).status).toBe(200);
    expect((await ada.call('PUT', '/accounts/ada/role', { role: 'agent' })).status).toBe(400);
    expect((await ada.call('PUT', '/accounts/nobody/role', { role: 'agent' })).status).toBe(404);
  });

  it('refuses an agent the directory marks inactive, from the next request on, until active again', async () => {
    const nina = await tickets.login(email, 'first password');
    const agents = await ada.call<Array<{ id: string; agent: Record<string, unknown> }>>(
      'GET',
      '/directory/agent',
    );
    const agent = agents.body.find((entry) => entry.id === agentId)!.agent;
    const save = (active: boolean) =>
      ada.call('PUT', `/directory/agent/${agentId}`, { ...agent, active });
    expect((await save(false)).status).toBe(200);
    expect((await nina.call('GET', '/me')).status).toBe(401);
    expect((await save(true)).status).toBe(200);
    expect((await nina.call('GET', '/me')).status).toBe(200);
  });

  it('resets a password: the old one stops working, and so do tokens issued with it', async () => {
    const nina = await tickets.login(email, 'first password');
    const live = await connectLive(tickets, nina.token);
    const reset = await ada.call('PUT', `/accounts/${agentId}/password`, {
      password: 'second password',
    });
    expect(reset.status).toBe(200);
    expect((await signIn(tickets, email, 'first password')).status).toBe(401);
    expect((await signIn(tickets, email, 'second password')).status).toBe(200);
    expect((await nina.call('GET', '/me')).status).toBe(401);
    expect(await live.closed).toBe(4401);
    const again = await tickets.login(email, 'second password');
    expect((await again.call('GET', '/me')).status).toBe(200);
    expect(
      (await ada.call('PUT', `/accounts/${agentId}/password`, { password: 'short' })).status,
    ).toBe(400);
  });

  it('deactivates an agent: no sign-in, no token, inactive in the directory', async () => {
    const nina = await tickets.login(email, 'second password');
    const live = await connectLive(tickets, nina.token);
    const deactivated = await ada.call<Account>('POST', `/accounts/${agentId}/deactivate`);
    expect(deactivated.status).toBe(200);
    expect(deactivated.body.active).toBe(false);

    expect((await nina.call('GET', '/me')).status).toBe(401);
    expect(await live.closed).toBe(4401);
    expect((await signIn(tickets, email, 'second password')).status).toBe(401);
    const agents = await ada.call<Array<{ id: string; agent: { active?: boolean } }>>(
      'GET',
      '/directory/agent',
    );
    expect(agents.body.find((entry) => entry.id === agentId)?.agent.active ?? false).toBe(false);
    const listed = await ada.call<Account[]>('GET', '/accounts');
    expect(listed.body.find((entry) => entry.agentId === agentId)?.active).toBe(false);

    const again = await ada.call<{ message: string }>('PUT', `/accounts/${agentId}/password`, {
      password: 'third password',
    });
    expect(again.status).toBe(409);
    expect(again.body.message).toContain('is deactivated');
    expect((await ada.call('POST', '/accounts/ada/deactivate')).status).toBe(400);
  });

  it('is documented in the OpenAPI document', async () => {
    const document = (await (await fetch(`${tickets.service.url}/api/docs-json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/accounts',
        '/api/v1/accounts/{agentId}/role',
        '/api/v1/accounts/{agentId}/password',
        '/api/v1/accounts/{agentId}/deactivate',
      ]),
    );
  });
});

describe('sign-in back-off behind a proxy, across replicas', () => {
  let first: TicketsUnderTest;
  let second: TicketsUnderTest;
  const ann = 'ann@firstline.example';
  const right = 'firstline-demo';
  // Documentation addresses (RFC 5737); the database is this suite's own.
  const office = '192.0.2.10';
  const guesser = '198.51.100.20';

  beforeAll(async () => {
    // One reverse proxy in front of both replicas: the client is the last X-Forwarded-For entry.
    process.env.TICKETS_TRUSTED_PROXY_HOPS = '1';
    try {
      first = await TicketsUnderTest.start();
      // Another replica of the same service on the same database.
      second = await TicketsUnderTest.start({ restartOf: first });
    } finally {
      delete process.env.TICKETS_TRUSTED_PROXY_HOPS;
    }
  }, 120_000);

  afterAll(async () => {
    await second?.stop(true);
    await first?.stop();
  });

  it('lets the right password in from another address while a guesser waits', async () => {
    await guessUntilWaitIsAtLeast(first, ann, guesser, 8);
    // An address the client wrote into the header itself is not believed: still the guesser.
    const refused = await signIn(second, ann, right, `${office}, ${guesser}`);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await refused.json()) as { message: string }).message).toMatch(
      /^Too many failed sign-ins; try again in \d+ s$/,
    );
    expect((await signIn(second, ann, right, office)).status).toBe(200);
  }, 30_000);

  it('lets the right password in at the same address once the wait is over', async () => {
    const address = '203.0.113.30';
    await guessUntilWaitIsAtLeast(first, ann, address, 4);
    const refused = await signIn(second, ann, right, address);
    expect(refused.status).toBe(429);
    await new Promise((resolve) =>
      setTimeout(resolve, Number(refused.headers.get('retry-after')) * 1000),
    );
    expect((await signIn(second, ann, right, address)).status).toBe(200);
  }, 30_000);

  it('stops an address that fails on many accounts, whichever account it tries next', async () => {
    const sprayer = '192.0.2.40';
    for (let account = 0; account < 30; account++) {
      const response = await signIn(first, `someone-${account}@firstline.example`, 'x', sprayer);
      expect(response.status).toBe(401);
    }
    expect((await signIn(second, ann, right, sprayer)).status).toBe(429);
  }, 60_000);
});
