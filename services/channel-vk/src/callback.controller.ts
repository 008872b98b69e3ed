import {
  Body,
  Controller,
  Header,
  HttpCode,
  HttpException,
  Inject,
  Logger,
  Param,
  Post,
} from '@nestjs/common';
import { verifyCallback } from '@firstline/vk';
import { VK_CONFIG, type CallbackModeCommunity, type VkConfig } from './config';
import { VkInbound } from './inbound.service';

/**
 * The Callback API endpoint of each community in callback mode. VK repeats an event until it
 * hears "ok", so "ok" is said only once the event is on the bus; a repeat is recognised by its
 * event_id and answered "ok" without publishing it again.
 */
@Controller('vk')
export class CallbackController {
  private readonly logger = new Logger(CallbackController.name);
  private readonly communities: Map<string, CallbackModeCommunity>;

  constructor(
    @Inject(VK_CONFIG) config: VkConfig,
    private readonly inbound: VkInbound,
  ) {
    this.communities = new Map(
      config.communities
        .filter((community) => community.mode === 'callback')
        .map((community) => [String(community.groupId), community]),
    );
  }

  @Post(':groupId/callback')
  @HttpCode(200)
  @Header('Content-Type', 'text/plain; charset=utf-8')
  async receive(@Param('groupId') groupId: string, @Body() body: unknown): Promise<string> {
    const community = this.communities.get(groupId);
    if (!community) throw new HttpException(`no VK community ${groupId} in callback mode`, 404);
    const verdict = verifyCallback(body, community);
    switch (verdict.kind) {
      case 'confirmation':
        return verdict.answer;
      case 'rejected':
        this.logger.warn(`refused a callback for community ${groupId}: ${verdict.reason}`);
        throw new HttpException(verdict.reason, verdict.status);
      case 'event':
        await this.inbound.accept(community, [verdict.event]);
        return 'ok';
    }
  }
}
