import { Controller, Get, Inject, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { publicForm } from '@firstline/webform';
import { WEBFORM_CONFIG, type WebformConfig } from '../config';
import type { ReadRequest } from '../http/body';
import {
  RejectionFilter,
  requestLocale,
  send,
  wantsHtml,
  type WebRequest,
} from '../http/rejection';
import { Intake, type Accepted } from './intake.service';

/**
 * The public API the widget, the hosted pages and a shop's own HTML forms post to. JSON in and
 * out for scripts; a plain form (no script) is answered with a redirect to its status page.
 */
@Controller('webform')
@UseFilters(RejectionFilter)
export class IntakeController {
  constructor(
    private readonly intake: Intake,
    @Inject(WEBFORM_CONFIG) private readonly config: WebformConfig,
  ) {}

  @Get('forms')
  forms(@Req() request: WebRequest) {
    const locale = requestLocale(request);
    return this.config.forms.map((form) => ({
      id: form.id,
      title: publicForm(form, locale).title,
    }));
  }

  @Get('forms/:formId')
  form(@Param('formId') formId: string, @Req() request: WebRequest) {
    return publicForm(this.intake.form(formId), requestLocale(request));
  }

  @Post('forms/:formId/submissions')
  async submit(
    @Param('formId') formId: string,
    @Req() request: ReadRequest,
    @Res() response: ServerResponse,
  ): Promise<void> {
    const accepted = await this.intake.submit(formId, request);
    this.answer(request, response, accepted);
  }

  @Post('status/:token/messages')
  async followUp(
    @Param('token') token: string,
    @Req() request: ReadRequest,
    @Res() response: ServerResponse,
  ): Promise<void> {
    const accepted = await this.intake.followUp(token, request);
    this.answer(request, response, accepted);
  }

  private answer(request: ReadRequest, response: ServerResponse, accepted: Accepted): void {
    const base = linkBase(this.config, request);
    const statusUrl = `${base}/webform/s/${accepted.statusToken}`;
    if (wantsHtml(request)) {
      response.statusCode = 303;
      response.setHeader('location', statusUrl);
      response.end();
      return;
    }
    if (accepted.replayed) response.setHeader('idempotent-replayed', 'true');
    send(response, accepted.replayed ? 200 : 201, {
      messageId: accepted.messageId,
      statusToken: accepted.statusToken,
      statusUrl,
      statusApiUrl: `${base}/webform/status/${accepted.statusToken}`,
    });
  }
}

/**
 * Where links in the answer to a request point: WEBFORM_PUBLIC_URL, or the host the request came
 * to (it goes back to the one who chose that host; links stored for others use StoredLinks).
 */
export function linkBase(config: WebformConfig, request: WebRequest): string {
  if (config.publicUrl) return config.publicUrl;
  const forwarded = config.trustedProxyHops > 0 ? request.headers['x-forwarded-proto'] : undefined;
  const protocol =
    typeof forwarded === 'string'
      ? forwarded.split(',')[0].trim()
      : (request.socket as TLSSocket).encrypted
        ? 'https'
        : 'http';
  return `${protocol}://${request.headers.host ?? '127.0.0.1'}`;
}
