import type { IncomingMessage } from 'node:http';
import { Body, Controller, HttpCode, HttpException, Logger, Post, Req } from '@nestjs/common';
import { WEBHOOK_PATH_PREFIX } from '@firstline/ok';
import { OkGroups } from '../groups';
import { OkInbound } from './ok-inbound';

/**
 * The largest webhook body accepted. OK posts one message per request: its text and at most a
 * handful of attachments by link, a few KB; a body this large is not OK's.
 */
export const MAX_WEBHOOK_BODY = '1mb';

/**
 * Where OK posts each group's chat events: `/ok/webhook/<secret>`. OK sends an event again until it
 * hears 200 (within 5 seconds), so 200 is said only once the event is on the bus; a malformed one is
 * dead-lettered and answered 200 too, since OK would otherwise repeat it for hours. The body arrives
 * as raw bytes (`service.ts`), kept as they came for the dead-letter topic.
 */
@Controller()
export class WebhookController {
  private readonly logger = new Logger(WebhookController.name);

  constructor(
    private readonly groups: OkGroups,
    private readonly inbound: OkInbound,
  ) {}

  @Post(`${WEBHOOK_PATH_PREFIX}:secret`)
  @HttpCode(200)
  async receive(
    @Req() request: IncomingMessage & { originalUrl?: string },
    @Body() body: unknown,
  ): Promise<void> {
    const rawBody = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
    // verify reads the path, where the secret is, as the :path pseudo-header (libs/ok verify.ts).
    const receiving = this.groups.receiving({
      headers: { ...request.headers, ':path': request.originalUrl ?? request.url },
      rawBody,
    });
    if ('kind' in receiving) {
      // The route, not the URL: the path holds a secret, right or wrong.
      this.logger.warn(`refused a webhook at ${WEBHOOK_PATH_PREFIX}…: ${receiving.reason}`);
      throw new HttpException(receiving.reason, receiving.status);
    }
    const { context } = receiving.group;
    if (!context) {
      // OK repeats the event; by then the group's id is known.
      throw new HttpException('the group is still being set up', 503);
    }
    await this.inbound.accept(receiving.group.config.token, context, rawBody);
  }
}
