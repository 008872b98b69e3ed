import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OutboxRelay } from '@firstline/persistence';
import { DirectoryRepository } from '../database/directory.repository';
import { hashPassword } from '../auth/password';
import { DEMO_AGENTS, DEMO_ENTRIES, DEMO_PASSWORD } from './demo-directory';
import { TicketsSettings } from '../tickets-settings';
import { DirectoryService } from './directory.service';

/**
 * In the demo (`npm start`, or FIRSTLINE_DEMO=1), fills an empty directory with the demo one, so
 * that a fresh start can be signed into. Its accounts share a published password: never seeded
 * anywhere else (accounts/first-admin.ts makes the first admin there).
 */
@Injectable()
export class DemoDirectorySeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger(DemoDirectorySeeder.name);

  constructor(
    private readonly settings: TicketsSettings,
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
    private readonly repository: DirectoryRepository,
    private readonly directory: DirectoryService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.settings.demo || !(await this.repository.isEmpty())) return;
    const hashes = await Promise.all(DEMO_AGENTS.map(() => hashPassword(DEMO_PASSWORD)));
    const seeded = await this.dataSource.transaction(async (manager) => {
      // Replicas starting together: one seeds, the others find it done.
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('firstline.tickets.seed'))`);
      const [{ empty }] = await manager.query<Array<{ empty: boolean }>>(
        'SELECT NOT EXISTS (SELECT 1 FROM tickets.directory_entry) AS empty',
      );
      if (!empty) return false;
      for (const [id, payload] of DEMO_ENTRIES) await this.directory.saveIn(manager, id, payload);
      for (const [index, agent] of DEMO_AGENTS.entries()) {
        await this.repository.saveAccount(manager, {
          agentId: agent.id,
          email: agent.email,
          role: agent.role,
          passwordHash: hashes[index],
        });
      }
      return true;
    });
    if (!seeded) return;
    this.relay.nudge();
    this.logger.warn(
      `Seeded the demo directory: its accounts sign in with the published password ${DEMO_PASSWORD}; keep this instance to yourself`,
    );
  }
}
