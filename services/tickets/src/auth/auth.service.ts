import { HttpException, HttpStatus, Injectable, UnauthorizedException } from '@nestjs/common';
import { DirectoryKind } from '@firstline/contracts';
import {
  DirectoryRepository,
  type AgentAccount,
  type Role,
} from '../database/directory.repository';
import { kindName } from '../directory/directory.service';
import { TicketsSettings } from '../tickets-settings';
import { LoginAttempts } from './login-attempts';
import { verifyPassword } from './password';
import { signToken, verifyToken } from './token';

/** The agent a request acts for. */
export interface SignedInAgent {
  id: string;
  name: string;
  role: Role;
  teamIds: string[];
}

/** Sign-in with email and password, and the agent behind a token. */
@Injectable()
export class AuthService {
  constructor(
    private readonly directory: DirectoryRepository,
    private readonly settings: TicketsSettings,
    private readonly attempts: LoginAttempts,
  ) {}

  async login(email: string, password: string, clientAddress: string) {
    const keys = [`email:${email.toLowerCase()}`, `address:${clientAddress}`];
    const attempt = await this.attempts.begin(keys);
    if (attempt.retryAfterSeconds > 0) {
      throw new HttpException(
        {
          statusCode: 429,
          message: `Too many failed sign-ins; try again in ${attempt.retryAfterSeconds} s`,
        },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    const account = await this.directory.accountByEmail(email);
    const agent = account && (await this.agent(account));
    if (!account || !agent || !(await verifyPassword(password, account.passwordHash))) {
      throw new UnauthorizedException('Wrong email or password');
    }
    await this.attempts.succeeded(attempt, keys[0]);
    const expiresAt = new Date(Date.now() + this.settings.tokenTtlMs);
    const token = signToken(
      { sub: agent.id, role: agent.role, exp: Math.floor(expiresAt.getTime() / 1000) },
      this.settings.tokenSecret,
    );
    return { token, expiresAt, agent };
  }

  /** The agent a bearer token names, as the directory has them now; undefined if none. */
  async authenticate(token: string): Promise<SignedInAgent | undefined> {
    const claims = verifyToken(token, this.settings.tokenSecret);
    if (!claims) return undefined;
    const account = await this.directory.accountById(claims.sub);
    return account && this.agent(account);
  }

  /** The agent behind an account, unless the account or the agent was deactivated. */
  private async agent(account: AgentAccount): Promise<SignedInAgent | undefined> {
    if (account.deactivatedAt) return undefined;
    const { agentId, role } = account;
    const record = await this.directory.find(kindName(DirectoryKind.AGENT), agentId);
    if (record?.payload.case !== 'agent' || !record.payload.value.active) return undefined;
    const agent = record.payload.value;
    return { id: agent.id, name: agent.name, role, teamIds: agent.teamIds };
  }
}
