import { Body, Controller, Get, HttpCode, Ip, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AgentGuard, CurrentAgent } from '../auth/auth.guard';
import { AuthService, type SignedInAgent } from '../auth/auth.service';
import { LoginRequest } from './dto';

@ApiTags('auth')
@Controller('api/v1')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  /** A bearer token for the other endpoints; five failures a minute per account or address lock it for the minute. */
  @Post('auth/login')
  @HttpCode(200)
  login(@Body() body: LoginRequest, @Ip() address: string) {
    return this.auth.login(body.email, body.password, address);
  }

  @Get('me')
  @ApiBearerAuth()
  @UseGuards(AgentGuard)
  me(@CurrentAgent() agent: SignedInAgent) {
    return agent;
  }
}
