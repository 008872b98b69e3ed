import {
  applyDecorators,
  Controller,
  Get,
  Inject,
  Param,
  Post,
  Req,
  Res,
  UseFilters,
} from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import {
  ApiBody,
  ApiConsumes,
  ApiExtraModels,
  ApiOkResponse,
  ApiQuery,
  ApiResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { ApiErrors } from '@firstline/runtime';
import { LOCALES, publicForm } from '@firstline/webform';
import { WEBFORM_CONFIG, type WebformConfig } from '../config';
import type { ReadRequest } from '../http/body';
import {
  RejectionFilter,
  requestLocale,
  send,
  wantsHtml,
  type WebRequest,
} from '../http/rejection';
import { ApiCustomerHeaders } from '../http/openapi';
import { FollowUpPost, SubmissionPost } from '../http/requests';
import { FormSummary, FormView, PostAccepted } from '../http/responses';
import { Intake, type Accepted } from './intake.service';

/** The `?locale=` every read takes. */
const LocaleQuery = () =>
  ApiQuery({ name: 'locale', required: false, enum: LOCALES, enumName: 'Locale' });

/** What a post is answered with, besides the refusals each lists. */
const PostAnswers = () =>
  applyDecorators(
    ApiConsumes('multipart/form-data', 'application/x-www-form-urlencoded', 'application/json'),
    ApiCustomerHeaders({ post: true }),
    ApiResponse({ status: 201, type: PostAccepted, description: 'Taken' }),
    ApiResponse({
      status: 200,
      type: PostAccepted,
      description: 'Taken before with this Idempotency-Key: the first answer, again',
      headers: { 'Idempotent-Replayed': { schema: { type: 'string', enum: ['true'] } } },
    }),
    ApiResponse({
      status: 303,
      description: 'Taken, from a plain HTML form (it asks for `text/html`): to its status page',
    }),
    ApiErrors(400, 413, 415, 422, 429, 503),
  );

/**
 * The public API the widget, the hosted pages and a shop's own HTML forms post to. JSON in and
 * out for scripts; a plain form (no script) is answered with a redirect to its status page.
 */
@ApiExtraModels(SubmissionPost)
@Controller('webform')
@UseFilters(RejectionFilter)
export class IntakeController {
  constructor(
    private readonly intake: Intake,
    @Inject(WEBFORM_CONFIG) private readonly config: WebformConfig,
  ) {}

  @Get('forms')
  @ApiTags('forms')
  @LocaleQuery()
  @ApiCustomerHeaders({ post: false })
  @ApiOkResponse({ type: [FormSummary] })
  forms(@Req() request: WebRequest): FormSummary[] {
    const locale = requestLocale(request);
    return this.config.forms.map((form) => ({
      id: form.id,
      title: publicForm(form, locale).title,
    }));
  }

  @Get('forms/:formId')
  @ApiTags('forms')
  @LocaleQuery()
  @ApiCustomerHeaders({ post: false })
  @ApiOkResponse({ type: FormView })
  @ApiErrors(404)
  form(@Param('formId') formId: string, @Req() request: WebRequest): FormView {
    return publicForm(this.intake.form(formId), requestLocale(request));
  }

  @Post('forms/:formId/submissions')
  @ApiTags('forms')
  @PostAnswers()
  @ApiErrors(404)
  @ApiBody({
    description: "The form's fields by name, as strings, and the fields every submission may have",
    schema: {
      allOf: [
        { $ref: getSchemaPath(SubmissionPost) },
        { type: 'object', additionalProperties: { type: 'string' } },
      ],
    },
  })
  async submit(
    @Param('formId') formId: string,
    @Req() request: ReadRequest,
    @Res() response: ServerResponse,
  ): Promise<void> {
    const accepted = await this.intake.submit(formId, request);
    this.answer(request, response, accepted);
  }

  @Post('status/:token/messages')
  @ApiTags('status')
  @PostAnswers()
  @ApiErrors(404)
  @ApiBody({ type: FollowUpPost })
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
    const answer: PostAccepted = {
      messageId: accepted.messageId,
      statusToken: accepted.statusToken,
      statusUrl,
      statusApiUrl: `${base}/webform/status/${accepted.statusToken}`,
    };
    send(response, accepted.replayed ? 200 : 201, answer);
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
