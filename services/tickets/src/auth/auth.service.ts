import { HttpException, HttpStatus, Injectable, UnauthorizedException } from '@nestjs/common';
import { DirectoryKind } from '@firstline/contracts';
import {
  DirectoryRepository,
  type AgentAccount,
  type DirectoryRecord,
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
    const found = await this.directory.accountWithEntry({ email }, kindName(DirectoryKind.AGENT));
    const right = await this.passwords.verify(password, found?.account.passwordHash);
    const agent = found && right ? signedIn(found.account, found.entry) : undefined;
    if (!found || !agent) throw new UnauthorizedException('Wrong email or password');
    await this.attempts.succeeded(attempt);
    const issuedAt = Date.now();
    const expiresAt = new Date(issuedAt + this.settings.tokenTtlMs);
    const token = signToken(
      {
        sub: agent.id,
        ver: found.account.tokenVersion,
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
    const found = await this.directory.accountWithEntry(
      { agentId: claims.sub },
      kindName(DirectoryKind.AGENT),
    );
    if (!found || found.account.tokenVersion !== claims.ver) return undefined;
    return signedIn(found.account, found.entry);
  }
}

/**
 * The agent behind an account, given the agent's directory entry, unless the account was
 * deactivated or the agent is not (or no longer) active.
 */
function signedIn(
  account: AgentAccount,
  entry: DirectoryRecord | undefined,
): SignedInAgent | undefined {
  if (account.deactivatedAt) return undefined;
  if (entry?.payload.case !== 'agent' || !entry.payload.value.active) return undefined;
  const agent = entry.payload.value;
  return { id: agent.id, name: agent.name, role: account.role, teamIds: agent.teamIds };
}
