import { Body, Controller, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '@firstline/runtime';
import { AccountView } from '../api/responses';
import { AgentGuard, CurrentAgent, Roles } from '../auth/auth.guard';
import type { SignedInAgent } from '../auth/auth.service';
import { ChangeRoleRequest, CreateAccountRequest, ResetPasswordRequest } from './account-requests';
import { AccountsService } from './accounts.service';

/** Agent accounts, for admins: create, change role, reset password, deactivate. */
@ApiTags('accounts')
@ApiBearerAuth()
@ApiErrors(401, 403, 503)
@UseGuards(AgentGuard)
@Roles('admin')
@Controller('api/v1/accounts')
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Get()
  @ApiOkResponse({ type: [AccountView] })
  list(): Promise<AccountView[]> {
    return this.accounts.list();
  }

  /** A new agent with a sign-in: 409 when the id or email is taken. */
  @Post()
  @ApiCreatedResponse({ type: AccountView })
  @ApiErrors(400, 409)
  create(@Body() body: CreateAccountRequest): Promise<AccountView> {
    return this.accounts.create(body);
  }

  /** Takes effect on the agent's next request: the role is read on every one. */
  @Put(':agentId/role')
  @ApiOkResponse({ type: AccountView })
  @ApiErrors(400, 404, 409)
  changeRole(
    @Param('agentId') agentId: string,
    @Body() body: ChangeRoleRequest,
    @CurrentAgent() admin: SignedInAgent,
  ): Promise<AccountView> {
    return this.accounts.changeRole(agentId, body.role, admin);
  }

  @Put(':agentId/password')
  @ApiOkResponse({ type: AccountView })
  @ApiErrors(400, 404, 409)
  resetPassword(
    @Param('agentId') agentId: string,
    @Body() body: ResetPasswordRequest,
  ): Promise<AccountView> {
    return this.accounts.resetPassword(agentId, body.password);
  }

  /** The agent can no longer sign in, their tokens stop working, and the router gives them no work. */
  @Post(':agentId/deactivate')
  @HttpCode(200)
  @ApiOkResponse({ type: AccountView })
  @ApiErrors(400, 404, 409)
  deactivate(
    @Param('agentId') agentId: string,
    @CurrentAgent() admin: SignedInAgent,
  ): Promise<AccountView> {
    return this.accounts.deactivate(agentId, admin);
  }
}
