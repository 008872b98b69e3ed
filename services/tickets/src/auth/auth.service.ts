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
import { Passwords } from './password';
import { signToken, verifyToken } from './token';

/** The agent a request acts for. */
export interface SignedInAgent {
  id: string;
  name: string;
  role: Role;
  teamIds: string[];
}

/** 429 with the seconds to wait, which the controller also sends as `Retry-After`. */
export class SignInDelayed extends HttpException {
  constructor(readonly retryAfterSeconds: number) {
    super(
      {
        statusCode: HttpStatus.TOO_MANY_REQUESTS,
        message: `Too many failed sign-ins; try again in ${retryAfterSeconds} s`,
      },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}

/** Sign-in with email and password, and the agent behind a token. */
@Injectable()
export class AuthService {
  constructor(
    private readonly directory: DirectoryRepository,
    private readonly settings: TicketsSettings,
    private readonly attempts: LoginAttempts,
    private readonly passwords: Passwords,
  ) {}

  /**
   * A token for the right password, unless the account or the client address must wait
   * (`signInWaitMs`). Every checked attempt verifies one scrypt hash, a throw-away one for an
   * unknown email, so known and unknown accounts take the same time.
   */
  async login(email: string, password: string, clientAddress: string) {
    const attempt = await this.attempts.begin(email, clientAddress);
    if (attempt.retryAfterSeconds > 0) throw new SignInDelayed(attempt.retryAfterSeconds);
    const account = await this.directory.accountByEmail(email);
    const right = await this.passwords.verify(password, account?.passwordHash);
    const agent = account && right ? await this.agent(account) : undefined;
    if (!account || !agent) throw new UnauthorizedException('Wrong email or password');
    await this.attempts.succeeded(attempt);
    const issuedAt = Date.now();
    const expiresAt = new Date(issuedAt + this.settings.tokenTtlMs);
    const token = signToken(
      {
        sub: agent.id,
        ver: account.tokenVersion,
        iat: Math.floor(issuedAt / 1000),
        exp: Math.floor(expiresAt.getTime() / 1000),
      },
      this.settings.tokenSecret,
    );
    return { token, expiresAt, agent };
  }

  /**
   * The agent a bearer token names, as the directory has them now; undefined if none, or if the
   * password changed (or the account was deactivated) since the token was issued.
   */
  async authenticate(token: string): Promise<SignedInAgent | undefined> {
    const claims = verifyToken(token, this.settings.tokenSecret);
    if (!claims) return undefined;
    const account = await this.directory.accountById(claims.sub);
    if (!account || account.tokenVersion !== claims.ver) return undefined;
    return this.agent(account);
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
