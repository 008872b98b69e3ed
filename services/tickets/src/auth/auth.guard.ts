import {
  createParamDecorator,
  ForbiddenException,
  Injectable,
  SetMetadata,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Role } from '../database/directory.repository';
import { AuthService, type SignedInAgent } from './auth.service';

const ROLES = Symbol('roles');

/** Limits an endpoint (or a controller) to these roles; without it every signed-in agent may call it. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES, roles);

/** The part of an HTTP request the guard reads and sets. */
interface AuthenticatedRequest {
  headers: { authorization?: string };
  agent?: SignedInAgent;
}

/** Every API endpoint needs a valid bearer token of an active agent with a permitted role. */
@Injectable()
export class AgentGuard implements CanActivate {
  constructor(
    private readonly auth: AuthService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const [scheme, token] = (request.headers.authorization ?? '').split(' ');
    const agent = scheme === 'Bearer' && token ? await this.auth.authenticate(token) : undefined;
    if (!agent) throw new UnauthorizedException('Sign in first: a valid bearer token is required');
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (roles && !roles.includes(agent.role)) {
      throw new ForbiddenException(`This needs the role ${roles.join(' or ')}`);
    }
    request.agent = agent;
    return true;
  }
}

/** The signed-in agent, in a handler of a controller guarded by AgentGuard. */
export const CurrentAgent = createParamDecorator(
  (_: unknown, context: ExecutionContext): SignedInAgent =>
    context.switchToHttp().getRequest<AuthenticatedRequest>().agent!,
);
