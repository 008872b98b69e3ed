import {
  BadRequestException,
  ConflictException,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { create, AgentSchema, DirectoryKind, Presence } from '@firstline/contracts';
import { OutboxRelay } from '@firstline/persistence';
import { Passwords } from '../auth/password';
import type { SignedInAgent } from '../auth/auth.service';
import {
  DirectoryRepository,
  type AgentAccount,
  type Role,
} from '../database/directory.repository';
import { DirectoryService, kindName } from '../directory/directory.service';
import { LiveGateway } from '../live/live.gateway';
import type { CreateAccountRequest } from './account-requests';
import type { AccountView } from '../api/responses';

/** An account as the admin API shows it: never the password hash. */
/**
 * Agents' sign-in accounts, managed by admins. The account (email, role, password hash) stays in
 * the tickets schema; the agent's directory entry is created beside it and published as usual,
 * and goes inactive when the account is deactivated, so the router stops giving them work.
 */
@Injectable()
export class AccountsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
    private readonly repository: DirectoryRepository,
    private readonly directory: DirectoryService,
    private readonly passwords: Passwords,
    private readonly live: LiveGateway,
  ) {}

  async list(): Promise<AccountView[]> {
    const [accounts, agents] = await Promise.all([
      this.repository.listAccounts(),
      this.repository.list(kindName(DirectoryKind.AGENT)),
    ]);
    const agentById = new Map(agents.map((record) => [record.id, record.payload]));
    return accounts.map((account) => {
      const payload = agentById.get(account.agentId);
      return view(account, payload?.case === 'agent' ? payload.value : undefined);
    });
  }

  async create(request: CreateAccountRequest): Promise<AccountView> {
    const teamIds = request.teamIds ?? [];
    const teams = new Set(
      (await this.repository.list(kindName(DirectoryKind.TEAM))).map((record) => record.id),
    );
    const unknown = teamIds.filter((teamId) => !teams.has(teamId));
    if (unknown.length > 0) throw new BadRequestException(`teamIds: no team ${unknown.join(', ')}`);
    const passwordHash = await this.passwords.hash(request.password);
    return this.change(async (manager) => {
      const account = {
        agentId: request.agentId,
        email: request.email.toLowerCase(),
        role: request.role,
        passwordHash,
      };
      if (!(await this.repository.createAccount(manager, account))) {
        throw new ConflictException(
          `An account with the id ${request.agentId} or the email ${account.email} exists`,
        );
      }
      // An agent entered in the directory before gets its account; their skills stay. Read in the
      // transaction: on the embedded database (one session) a read beside it waits for it to end.
      const existing = await this.repository.find(
        kindName(DirectoryKind.AGENT),
        request.agentId,
        manager,
      );
      const agent = {
        ...(existing?.payload.case === 'agent' ? existing.payload.value : create(AgentSchema)),
        id: request.agentId,
        name: request.name,
        email: account.email,
        teamIds,
        presence: Presence.OFFLINE,
        active: true,
      };
      await this.directory.saveIn(manager, agent.id, { case: 'agent', value: agent });
      return view({ ...account, deactivatedAt: null }, agent);
    });
  }

  async changeRole(agentId: string, role: Role, admin: SignedInAgent): Promise<AccountView> {
    if (agentId === admin.id) {
      throw new BadRequestException('You cannot change your own role; ask another admin');
    }
    return this.changeActive(agentId, async (manager) => {
      await this.repository.updateAccount(manager, agentId, { role });
    });
  }

  async resetPassword(agentId: string, password: string): Promise<AccountView> {
    const passwordHash = await this.passwords.hash(password);
    return this.changeActive(agentId, async (manager) => {
      await this.repository.updateAccount(manager, agentId, { passwordHash });
    });
  }

  /** Signs the agent out for good: no sign-in, no token accepted, no new work from the router. */
  async deactivate(agentId: string, admin: SignedInAgent): Promise<AccountView> {
    if (agentId === admin.id) throw new BadRequestException('You cannot deactivate yourself');
    return this.changeActive(agentId, async (manager) => {
      await this.repository.updateAccount(manager, agentId, { deactivatedAt: new Date() });
      const record = await this.repository.find(kindName(DirectoryKind.AGENT), agentId, manager);
      if (record?.payload.case === 'agent') {
        await this.directory.saveIn(manager, agentId, {
          case: 'agent',
          value: { ...record.payload.value, active: false, presence: Presence.OFFLINE },
        });
      }
    });
  }

  /**
   * A change of an active account; 404 for none, 409 for a deactivated one. The agent's open
   * live connections on this replica are checked again at once (the others within their refresh).
   */
  private async changeActive(
    agentId: string,
    work: (manager: EntityManager) => Promise<void>,
  ): Promise<AccountView> {
    const changed = await this.change(async (manager) => {
      const before = await this.repository.accountById(agentId, manager);
      if (!before) throw new NotFoundException(`No account ${agentId}`);
      if (before.deactivatedAt) {
        throw new ConflictException(`The account ${agentId} is deactivated`);
      }
      await work(manager);
      const account = (await this.repository.accountById(agentId, manager))!;
      const record = await this.repository.find(kindName(DirectoryKind.AGENT), agentId, manager);
      return view(account, record?.payload.case === 'agent' ? record.payload.value : undefined);
    });
    await this.live.recheck(agentId);
    return changed;
  }

  private async change<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const result = await this.dataSource.transaction(work);
    this.relay.nudge();
    return result;
  }
}

function view(
  account: Pick<AgentAccount, 'agentId' | 'email' | 'role' | 'deactivatedAt'>,
  agent: { name: string; teamIds: string[]; active: boolean } | undefined,
): AccountView {
  return {
    agentId: account.agentId,
    email: account.email,
    name: agent?.name ?? '',
    role: account.role,
    teamIds: agent?.teamIds ?? [],
    active: !account.deactivatedAt && (agent?.active ?? false),
  };
}
