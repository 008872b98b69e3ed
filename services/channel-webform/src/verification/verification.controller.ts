import { Controller, Get, Header, Param, Post, Res } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import {
  create,
  encode,
  IdentityKind,
  IdentityProofSchema,
  messageType,
  timestampFromDate,
  TOPICS,
} from '@firstline/contracts';
import { enqueueOutbox, OutboxRelay } from '@firstline/persistence';
import { webformConversationKey } from '@firstline/webform';
import { ApiPage } from '../http/openapi';
import { escapeHtml } from '../http/rejection';
import { page } from '../pages/pages.controller';
import { readVerification, useVerification, type VerificationLink } from './verification.store';

const TEXTS = {
  en: {
    title: 'Confirm your address',
    ask: (email: string, subject: string) =>
      `Did you send us “${subject}” and is ${email} your address? Only then confirm it: your requests written with this address will reach your history with us.`,
    confirm: 'Yes, this is me',
    verified: (email: string) => `Thank you: ${email} is confirmed as yours.`,
    used: 'This link was used already: the address is confirmed.',
    expired: 'This link has expired. The next answer we send you carries a new one.',
    unknown: 'This link is not valid.',
    status: 'Your request',
  },
  ru: {
    title: 'Подтвердите адрес',
    ask: (email: string, subject: string) =>
      `Вы отправили нам «${subject}», и ${email} — ваш адрес? Только тогда подтвердите: обращения с этим адресом попадут в вашу историю.`,
    confirm: 'Да, это я',
    verified: (email: string) => `Спасибо: адрес ${email} подтверждён.`,
    used: 'Эта ссылка уже использована: адрес подтверждён.',
    expired: 'Срок действия ссылки истёк. В следующем ответе будет новая.',
    unknown: 'Эта ссылка недействительна.',
    status: 'Ваше обращение',
  },
};

const texts = (link: VerificationLink) =>
  link.state !== 'unknown' && link.locale === 'ru' ? TEXTS.ru : TEXTS.en;

/**
 * The "this is me" link of the email copies. Opening it only asks (mail scanners open links);
 * the button posts, which uses the link once and tells the router, through the outbox in the same
 * commit, that the customer proved the address.
 */
@ApiTags('pages')
@Controller('webform/v')
export class VerificationController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
  ) {}

  @Get(':token')
  @Header('referrer-policy', 'no-referrer')
  @ApiPage(
    [200, 'Asks the customer to confirm the address'],
    [404, 'No such link'],
    [410, 'The link was used or has expired'],
  )
  async ask(@Param('token') token: string, @Res() response: ServerResponse): Promise<void> {
    const link = await readVerification(this.dataSource.manager, token, new Date());
    const t = texts(link);
    if (link.state !== 'usable') return answer(response, link);
    reply(
      response,
      200,
      link,
      `<h1>${t.title}</h1><p>${escapeHtml(t.ask(link.email, link.subject))}</p>
<form method="post"><input type="hidden" name="confirm" value="1"><button type="submit">${t.confirm}</button></form>`,
    );
  }

  @Post(':token')
  @Header('referrer-policy', 'no-referrer')
  @ApiPage(
    [200, 'The address is confirmed'],
    [404, 'No such link'],
    [410, 'The link was used or has expired'],
  )
  async confirm(@Param('token') token: string, @Res() response: ServerResponse): Promise<void> {
    const now = new Date();
    const link = await this.dataSource.transaction(async (manager) => {
      const used = await useVerification(manager, token, now);
      if (used.state !== 'usable') return used;
      const proof = create(IdentityProofSchema, {
        proofId: `webform-verification:${token}`,
        conversationKey: webformConversationKey(used.statusToken),
        identity: { kind: IdentityKind.WEBFORM_EMAIL, value: used.email },
        provenAt: timestampFromDate(now),
      });
      await enqueueOutbox(manager, [
        {
          topic: TOPICS.identityProofs.name,
          key: TOPICS.identityProofs.key(proof),
          value: encode(IdentityProofSchema, proof),
          headers: { messageId: proof.proofId, type: messageType(IdentityProofSchema) },
        },
      ]);
      return used;
    });
    this.relay.nudge();
    if (link.state !== 'usable') return answer(response, link);
    reply(
      response,
      200,
      link,
      `<h1>${texts(link).title}</h1><p role="status">${escapeHtml(
        texts(link).verified(link.email),
      )}</p>`,
    );
  }
}

/** A link that cannot be used: 410 once used or expired, 404 when it never existed. */
function answer(response: ServerResponse, link: VerificationLink): void {
  const t = texts(link);
  const sentence =
    link.state === 'used' ? t.used : link.state === 'expired' ? t.expired : t.unknown;
  reply(response, link.state === 'unknown' ? 404 : 410, link, `<p role="alert">${sentence}</p>`);
}

function reply(response: ServerResponse, status: number, link: VerificationLink, body: string) {
  const t = texts(link);
  const locale = link.state !== 'unknown' && link.locale === 'ru' ? 'ru' : 'en';
  const statusLink =
    link.state === 'unknown'
      ? ''
      : `<p><a href="/webform/s/${escapeHtml(link.statusToken)}">${t.status}</a></p>`;
  response.statusCode = status;
  response.setHeader('content-type', 'text/html; charset=utf-8');
  response.end(page(locale, t.title, body + statusLink));
}
