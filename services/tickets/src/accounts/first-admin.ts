import { randomBytes } from 'node:crypto';
import { ConflictException, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { verifyPassword } from '../auth/password';
import { DirectoryRepository } from '../database/directory.repository';
import { DEMO_AGENTS, DEMO_PASSWORD } from '../directory/demo-directory';
import { TicketsSettings } from '../tickets-settings';
import { AccountsService } from './accounts.service';

/**
 * Outside the demo, nobody signs in with the demo's published password, and somebody can sign in
 * as admin: when no active admin can, one is created from FIRSTLINE_ADMIN_EMAIL and
 * FIRSTLINE_ADMIN_PASSWORD, or with a generated password that is logged this once. An admin who
 * exists is never replaced and their password never changed by a restart.
 */
@Injectable()
export class FirstAdmin implements OnApplicationBootstrap {
  private readonly logger = new Logger(FirstAdmin.name);

  constructor(
    private readonly settings: TicketsSettings,
    private readonly repository: DirectoryRepository,
    private readonly accounts: AccountsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.settings.demo) return;
    const demoAccounts = await this.demoPasswordHolders();
    // First the admin, then the revocation: a start that fails to create the admin changes
    // nothing, so the next one decides the same way instead of counting a demo admin as one.
    if (!(await this.hasAdmin(demoAccounts))) await this.createAdmin(demoAccounts);
    await this.revokeDemoPassword(demoAccounts);
  }

  /**
   * The demo's accounts that still sign in with its published password: a database the demo was
   * seeded into (every empty one was, before FIRSTLINE_DEMO). Only the demo's own addresses are
   * checked: a hash check costs tens of milliseconds, and no other account ever got that password
   * from Firstline.
   */
  private async demoPasswordHolders(): Promise<Set<string>> {
    const holders = await Promise.all(
      DEMO_AGENTS.map(async ({ email }) => {
        const account = await this.repository.accountByEmail(email);
        const holds =
          account &&
          !account.deactivatedAt &&
          (await verifyPassword(DEMO_PASSWORD, account.passwordHash));
        return holds ? [account.agentId] : [];
      }),
    );
    return new Set(holders.flat());
  }

  /** They keep their accounts and tickets, for an admin to give them passwords of their own. */
  private async revokeDemoPassword(demoAccounts: Set<string>): Promise<void> {
    if (demoAccounts.size === 0) return;
    for (const agentId of demoAccounts) {
      await this.accounts.resetPassword(agentId, randomPassword());
    }
    this.logger.warn(
      `The demo password no longer signs in as ${[...demoAccounts].join(', ')}: an admin gives them new passwords (PUT /api/v1/accounts/{id}/password) or deactivates them`,
    );
  }

  /** An active admin who does not sign in with the demo password. */
  private async hasAdmin(demoAccounts: Set<string>): Promise<boolean> {
    return (await this.repository.listAccounts()).some(
      (account) =>
        account.role === 'admin' && !account.deactivatedAt && !demoAccounts.has(account.agentId),
    );
  }

  private async createAdmin(demoAccounts: Set<string>): Promise<void> {
    const { email } = this.settings.firstAdmin;
    const password = this.settings.firstAdmin.password ?? randomPassword();
    try {
      await this.accounts.create({
        agentId: agentIdFor(email),
        email,
        name: 'Administrator',
        role: 'admin',
        password,
        teamIds: [],
      });
    } catch (error) {
      if (!(error instanceof ConflictException)) throw error;
      // Replicas starting together: another one created the admin.
      if (await this.hasAdmin(demoAccounts)) return;
      throw new Error(
        `No admin can sign in, and the first admin cannot be created: ${error.message}; set FIRSTLINE_ADMIN_EMAIL to another address`,
      );
    }
    if (this.settings.firstAdmin.password) {
      this.logger.warn(`Created the first admin, ${email}, with FIRSTLINE_ADMIN_PASSWORD`);
    } else {
      this.logger.warn(
        `Created the first admin, ${email}, with the password ${password} — shown only this once: sign in and change it (PUT /api/v1/accounts/{id}/password), or set FIRSTLINE_ADMIN_EMAIL and FIRSTLINE_ADMIN_PASSWORD before the first start`,
      );
    }
  }
}

/** 24 characters of base64url: 144 random bits. */
function randomPassword(): string {
  return randomBytes(18).toString('base64url');
}

/** The address's local part as an agent id ("Jane.Doe@…" → "jane.doe"). */
function agentIdFor(email: string): string {
  const id = email
    .split('@')[0]
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 64);
  return id || 'admin';
}
