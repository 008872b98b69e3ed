import { Controller, Get, Inject, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '@firstline/runtime';
import { DataSource } from 'typeorm';
import { encode, InboundMessageSchema, messageType, TOPICS } from '@firstline/contracts';
import { enqueueOutbox, OutboxRelay } from '@firstline/persistence';
import { customerLanguage, customerTexts, fillText, type CustomerTexts } from '@firstline/routing';
import {
  RATING_COMMENT_MAX_LENGTH,
  ratingMessage,
  readRating,
  verifyRatingLink,
  type RatingLink,
} from '@firstline/webform';
import { WEBFORM_CONFIG, type WebformConfig } from '../config';
import { ATTACHMENT_STORE, type AttachmentStore } from '@firstline/attachments';
import { readBody, refusalOf, type ReadRequest } from '../http/body';
import { ApiPage } from '../http/openapi';
import { escapeHtml, RejectionFilter, requestLocale, type WebRequest } from '../http/rejection';
import { RatingPost } from '../http/requests';
import { CustomerTextsStore } from '../projection/directory.consumer';

/**
 * The satisfaction survey's rating page: the link in a survey mail or on the status page opens
 * it on any device; the score and comment go to the inbound topic as a survey answer, like a
 * pressed Telegram or VK button, and the router files them on the rated ticket (never reopening
 * it). The link is the only key: signed by the tickets service, bound to one ticket, expiring.
 */
@ApiTags('pages')
@Controller('webform/rate')
@UseFilters(RejectionFilter)
export class RatingController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
    private readonly directory: CustomerTextsStore,
    @Inject(ATTACHMENT_STORE) private readonly attachments: AttachmentStore,
    @Inject(WEBFORM_CONFIG) private readonly config: WebformConfig,
  ) {}

  @Get(':token')
  @ApiPage([200, 'The rating form'], [410, 'The link is not ours or has expired'])
  async page(
    @Param('token') token: string,
    @Req() request: WebRequest,
    @Res() response: ServerResponse,
  ): Promise<void> {
    const link = await this.verified(token, request, response);
    if (!link) return;
    const texts = await this.texts(link.language);
    html(response, 200, link.language, texts, ratingForm(link, texts, token));
  }

  @Post(':token')
  @ApiConsumes('application/x-www-form-urlencoded', 'multipart/form-data', 'application/json')
  @ApiBody({ type: RatingPost })
  @ApiPage(
    [200, 'Thanks for the rating'],
    [410, 'The link is not ours or has expired'],
    [422, 'No score from 1 to 5: the form again, saying so'],
  )
  @ApiErrors(413, 415)
  async rate(
    @Param('token') token: string,
    @Req() request: ReadRequest,
    @Res() response: ServerResponse,
  ): Promise<void> {
    const link = await this.verified(token, request, response);
    if (!link) return;
    const texts = await this.texts(link.language);
    const refusal = refusalOf(request, this.config);
    if (refusal) throw refusal;
    const { fields } = await readBody(request, this.config, {
      store: this.attachments,
      allowed: false,
    });
    const rating = readRating(fields);
    if (!rating) {
      const problem = `<p role="alert">${escapeHtml(texts.ratingMissing)}</p>`;
      html(response, 422, link.language, texts, problem + ratingForm(link, texts, token));
      return;
    }
    const key = fields.idempotency_key?.slice(0, 100) || randomUUID();
    const message = ratingMessage(link, rating, { idempotencyKey: key, receivedAt: new Date() });
    await this.dataSource.transaction((manager) =>
      enqueueOutbox(manager, [
        {
          topic: TOPICS.inbound.name,
          key: message.conversationKey,
          value: encode(InboundMessageSchema, message),
          headers: { messageId: message.messageId, type: messageType(InboundMessageSchema) },
        },
      ]),
    );
    this.relay.nudge();
    const thanks = fillText(texts.ratingThanks, { score: rating.score });
    html(response, 200, link.language, texts, `<p role="status">${escapeHtml(thanks)}</p>`);
  }

  /** The link's contents, or undefined after answering a link that is not ours or expired. */
  private async verified(
    token: string,
    request: WebRequest,
    response: ServerResponse,
  ): Promise<RatingLink | undefined> {
    const secret = this.config.ratingLinkSecret;
    const verdict = secret ? verifyRatingLink(token, secret, new Date()) : undefined;
    if (verdict?.ok) return verdict.link;
    const language = requestLocale(request);
    const texts = await this.texts(language);
    html(response, 410, language, texts, `<p role="alert">${escapeHtml(texts.ratingExpired)}</p>`);
    return undefined;
  }

  private async texts(language: string): Promise<CustomerTexts> {
    return customerTexts(language, await this.directory.customerTexts());
  }
}

function ratingForm(link: RatingLink, texts: CustomerTexts, token: string): string {
  const scores = [1, 2, 3, 4, 5]
    .map((score) => {
      const hint =
        score === 1 ? ` — ${texts.ratingLowest}` : score === 5 ? ` — ${texts.ratingHighest}` : '';
      return `<label><input type="radio" name="score" value="${score}" required> ${score}${escapeHtml(hint)}</label><br>`;
    })
    .join('\n');
  return `<h1>${escapeHtml(fillText(texts.ratingTitle, { number: link.ticketNumber }))}</h1>
<form method="post" action="/webform/rate/${escapeHtml(token)}" accept-charset="utf-8">
<input type="hidden" name="idempotency_key" value="${randomUUID()}">
<fieldset><legend>${escapeHtml(texts.ratingQuestion)}</legend>
${scores}
</fieldset>
<p><label for="comment">${escapeHtml(texts.ratingComment)}</label><br>
<textarea id="comment" name="comment" rows="4" maxlength="${RATING_COMMENT_MAX_LENGTH}"></textarea></p>
<p><button type="submit">${escapeHtml(texts.ratingSend)}</button></p>
</form>`;
}

function html(
  response: ServerResponse,
  status: number,
  language: string,
  texts: CustomerTexts,
  body: string,
): void {
  response.statusCode = status;
  response.setHeader('content-type', 'text/html; charset=utf-8');
  // The token is the key to the page: it must not leave in a Referer.
  response.setHeader('referrer-policy', 'no-referrer');
  response.setHeader('cache-control', 'no-store');
  response.end(`<!doctype html>
<html lang="${customerLanguage(language)}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(texts.team)}</title>
<style>body{margin:2rem auto;max-width:40rem;padding:0 1rem;font-family:system-ui,sans-serif}</style></head>
<body><main>
${body}
</main></body>
</html>`);
}
