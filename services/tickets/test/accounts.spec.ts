import type { AgentApi } from '@firstline/testing';
import { randomUUID } from 'node:crypto';
import { TicketsUnderTest } from './support';

interface Account {
  agentId: string;
  email: string;
  name: string;
  role: string;
  teamIds: string[];
  active: boolean;
}

const signIn = (tickets: TicketsUnderTest, email: string, password: string) =>
  fetch(`${tickets.service.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });

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
    const response = await ada.call<{ message: string | string[] }>('POST', '/accounts', {
      ...account,
      ...change,
    });
    expect(response.status).toBe(status);
    expect([response.body.message].flat().join('; ')).toContain(message);
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

  it('resets a password: the old one stops working', async () => {
    const reset = await ada.call('PUT', `/accounts/${agentId}/password`, {
      password: 'second password',
    });
    expect(reset.status).toBe(200);
    expect((await signIn(tickets, email, 'first password')).status).toBe(401);
    expect((await signIn(tickets, email, 'second password')).status).toBe(200);
    expect(
      (await ada.call('PUT', `/accounts/${agentId}/password`, { password: 'short' })).status,
    ).toBe(400);
  });

  it('deactivates an agent: no sign-in, no token, inactive in the directory', async () => {
    const nina = await tickets.login(email, 'second password');
    const deactivated = await ada.call<Account>('POST', `/accounts/${agentId}/deactivate`);
    expect(deactivated.status).toBe(200);
    expect(deactivated.body.active).toBe(false);

    expect((await nina.call('GET', '/me')).status).toBe(401);
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

describe('the sign-in limit across replicas', () => {
  let first: TicketsUnderTest;
  let second: TicketsUnderTest;

  beforeAll(async () => {
    first = await TicketsUnderTest.start();
    // Another replica of the same service on the same database.
    second = await TicketsUnderTest.start({ restartOf: first });
  }, 120_000);

  afterAll(async () => {
    await second?.stop(true);
    await first?.stop();
  });

  it('refuses a sixth attempt within the minute on another replica, even with the right password', async () => {
    for (let attempt = 0; attempt < 5; attempt++) {
      expect((await signIn(first, 'ann@firstline.example', 'wrong guess')).status).toBe(401);
    }
    const refused = await signIn(second, 'ann@firstline.example', 'firstline-demo');
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { message: string }).message).toMatch(
      /^Too many failed sign-ins; try again in \d+ s$/,
    );
  }, 30_000);
});
