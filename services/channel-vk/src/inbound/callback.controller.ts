import {
  Body,
  Controller,
  Header,
  Headers,
  HttpCode,
  HttpException,
  Inject,
  Logger,
  Param,
  Post,
} from '@nestjs/common';
import { vkAdapter, type VkEvent } from '@firstline/vk';
import { VK_CONFIG, type CallbackModeCommunity, type VkConfig } from '../config';
import { VkInbound } from './inbound.service';

/**
 * The largest callback body accepted. VK forwards up to 100 messages in one, each with up to 10
 * attachments, and a photo with its ten or so sizes is 1.5–2.5 KB of JSON: about 2.5 MB at worst
 * for one level of forwards. Twice that leaves room for nested forwards and long texts; a
 * larger body is answered 413, which VK counts as a failure of the server.
 */
export const MAX_CALLBACK_BODY = '5mb';

/**
 * The Callback API endpoint of each community in callback mode. VK repeats an event until it
 * hears "ok", so "ok" is said only once the event is on the bus; a repeat is recognised by its
 * event_id and answered "ok" without publishing it again. The body arrives as raw bytes
 * (`service.ts`), as the adapter's verify expects it.
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
  async receive(
    @Param('groupId') groupId: string,
    @Headers() headers: Record<string, string>,
    @Body() body: unknown,
  ): Promise<string> {
    const community = this.communities.get(groupId);
    if (!community) throw new HttpException(`no VK community ${groupId} in callback mode`, 404);
    const rawBody = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
    const { confirmationCode, secret } = community;
    const verdict = vkAdapter.verify(
      { headers, rawBody },
      { groupId: community.groupId, callback: { confirmationCode, secret } },
    );
    switch (verdict.kind) {
      case 'handshake':
        return verdict.body;
      case 'rejected':
        this.logger.warn(`refused a callback for community ${groupId}: ${verdict.reason}`);
        throw new HttpException(verdict.reason, verdict.status);
      case 'accepted':
        // verify has read it as a VK event already.
        await this.inbound.acceptCallback(
          community,
          JSON.parse(rawBody.toString('utf8')) as VkEvent,
        );
        return 'ok';
    }
  }
}
