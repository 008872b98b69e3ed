import type { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '@firstline/testing';
import { claimMessage } from '@firstline/persistence';
import { openSchema } from './support';

let database: TestDatabase;
let router: DataSource;

beforeAll(async () => {
  database = await createTestDatabase();
  router = await openSchema(database.url, 'routing');
});

afterAll(async () => {
  await router.destroy();
  await database.drop();
});

function claim(consumer: string, messageId: string): Promise<boolean> {
  return router.transaction((manager) => claimMessage(manager, consumer, messageId));
}

describe('claimMessage', () => {
  it('claims a message the first time and refuses its redelivery', async () => {
    expect(await claim('router', 'telegram-update-1001')).toBe(true);
    expect(await claim('router', 'telegram-update-1001')).toBe(false);
  });

  it('lets each consumer claim the same message once', async () => {
    expect(await claim('router', 'email-<a@b>')).toBe(true);
    expect(await claim('router-escalations', 'email-<a@b>')).toBe(true);
  });

  it('releases the claim when the handler fails and its transaction rolls back', async () => {
    await expect(
      router.transaction(async (manager) => {
        await claimMessage(manager, 'router', 'vk-message-77');
        throw new Error('no team for this skill');
      }),
    ).rejects.toThrow('no team for this skill');

    expect(await claim('router', 'vk-message-77')).toBe(true);
  });

  it('refuses to claim outside a transaction, where the effects could not share its fate', async () => {
    await expect(claimMessage(router.manager, 'router', 'webform-1')).rejects.toThrow(
      'claimMessage must run inside the transaction that makes the change',
    );
  });
});
