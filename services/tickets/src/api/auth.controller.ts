import { Body, Controller, Get, HttpCode, Ip, Post, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '@firstline/runtime';
import { AgentGuard, CurrentAgent } from '../auth/auth.guard';
import { AuthService, SignInDelayed, type SignedInAgent } from '../auth/auth.service';
import { LoginRequest } from './dto';
import { LoginAnswer, SignedInAgentView } from './responses';

@ApiTags('auth')
@Controller('api/v1')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  /**
   * A bearer token for the other endpoints. After repeated failures an account waits before its
   * next attempt at the same client address (and everywhere after many), and an address that
   * failed on many accounts waits: 429 with `Retry-After` (docs/adr/0006-tickets.md, Auth).
   */
  @Post('auth/login')
  @HttpCode(200)
  @ApiOkResponse({ type: LoginAnswer })
  @ApiErrors(400, 401, 429, 503)
  async login(
    @Body() body: LoginRequest,
    @Ip() address: string,
    @Res({ passthrough: true }) response: { setHeader(name: string, value: string): void },
  ): Promise<LoginAnswer> {
    try {
      return await this.auth.login(body.email, body.password, address);
    } catch (error) {
      if (error instanceof SignInDelayed) {
        response.setHeader('retry-after', String(error.retryAfterSeconds));
      }
      throw error;
    }
  }

  @Get('me')
  @ApiBearerAuth()
  @UseGuards(AgentGuard)
  @ApiOkResponse({ type: SignedInAgentView })
  @ApiErrors(401, 503)
  me(@CurrentAgent() agent: SignedInAgent): SignedInAgentView {
    return agent;
  }
}
