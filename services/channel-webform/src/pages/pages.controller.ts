import {
  Controller,
  Get,
  Header,
  Param,
  Req,
  ServiceUnavailableException,
  UseFilters,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '@firstline/runtime';
import { pickLocale, publicForm, text, type Locale } from '@firstline/webform';
import { ApiPage } from '../http/openapi';
import { escapeHtml, RejectionFilter, requestLocale, type WebRequest } from '../http/rejection';
import { Intake } from '../inbound/intake.service';
import { StatusService } from '../status/status.service';

/**
 * The widget as built from web/widget.ts by `npm run build`: next to this module once built
 * (dist/services/channel-webform/src/pages → ../../public), or in the workspace's dist when this
 * module runs from source (tests).
 */
const WIDGET_FILES = [
  join(__dirname, '../../public/widget.js'),
  join(__dirname, '../../../../dist/services/channel-webform/public/widget.js'),
];

/** Read once: the widget is one static script. */
let widget: string | undefined;

function readBuiltWidget(): string | undefined {
  const built = WIDGET_FILES.find((file) => existsSync(file));
  return built && readFileSync(built, 'utf8');
}

/** The widget script and the pages Firstline hosts itself: one per form, and the status page. */
@ApiTags('pages')
@Controller('webform')
@UseFilters(RejectionFilter)
export class PagesController {
  constructor(
    private readonly intake: Intake,
    private readonly status: StatusService,
  ) {}

  @Get('widget.js')
  @Header('content-type', 'text/javascript; charset=utf-8')
  @Header('cache-control', 'public, max-age=300')
  @ApiProduces('text/javascript')
  @ApiOkResponse({ description: 'The widget script', schema: { type: 'string' } })
  @ApiErrors(503)
  widget(): string {
    widget ??= readBuiltWidget();
    if (!widget) {
      // A checkout before its build: the service runs, and the script's address says why not it.
      throw new ServiceUnavailableException('The widget is not built: run npm run build');
    }
    return widget;
  }

  /** A page with just the form, for links and shops without a site; it works without script too. */
  @Get('f/:formId')
  @ApiPage(
    [200, 'The form, with a plain HTML form for browsers without script'],
    [404, 'No such form'],
  )
  @Header('content-type', 'text/html; charset=utf-8')
  formPage(@Param('formId') formId: string, @Req() request: WebRequest): string {
    const locale = requestLocale(request);
    const form = this.intake.form(formId);
    const title = text(form.title, locale);
    return page(
      locale,
      title,
      `<script src="/webform/widget.js" data-form="${escapeHtml(form.id)}" data-locale="${locale}"></script>
<noscript>${classicForm(publicForm(form, locale), locale)}</noscript>`,
    );
  }

  /**
   * The customer's status page; the token in the link is the only key to it. It speaks the
   * language the customer wrote in (the form's locale), whatever device opens the link, unless
   * the link asks for another (`?locale=`).
   */
  @Get('s/:token')
  @ApiPage([200, "The customer's status page"])
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('referrer-policy', 'no-referrer')
  async statusPage(@Param('token') token: string, @Req() request: WebRequest): Promise<string> {
    const locale =
      typeof request.query?.locale === 'string'
        ? requestLocale(request)
        : pickLocale(await this.status.localeOf(token), request.headers['accept-language']);
    const title = locale === 'ru' ? 'Ваше обращение' : 'Your request';
    return page(
      locale,
      title,
      `<script src="/webform/widget.js" data-status="${escapeHtml(token)}" data-locale="${locale}"></script>`,
    );
  }
}

export function page(locale: Locale, title: string, body: string): string {
  return `<!doctype html>
<html lang="${locale}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{margin:2rem auto;max-width:40rem;padding:0 1rem}</style></head>
<body><main>
${body}
</main></body>
</html>`;
}

/** The same form as plain HTML, posted form-encoded: the API answers it with a redirect. */
function classicForm(form: ReturnType<typeof publicForm>, locale: Locale): string {
  const field = (f: (typeof form.fields)[number]) => {
    const id = `f-${f.name}`;
    const required = f.required ? ' required' : '';
    const label = `<label for="${id}">${escapeHtml(f.label)}${f.required ? ' *' : ''}</label>`;
    switch (f.type) {
      case 'topic':
        return `<p>${label}<br><select id="${id}" name="${f.name}"${required}><option value="">—</option>${(
          f.options ?? []
        )
          .map((o) => `<option value="${escapeHtml(o.value)}">${escapeHtml(o.label)}</option>`)
          .join('')}</select></p>`;
      case 'message':
      case 'textarea':
        return `<p>${label}<br><textarea id="${id}" name="${f.name}" rows="5"${required}></textarea></p>`;
      case 'callback_window':
        return `<fieldset><legend>${escapeHtml(f.label)}</legend>
<label for="${id}-from">${locale === 'ru' ? 'С' : 'From'}</label> <input id="${id}-from" type="datetime-local" name="${f.name}_from"${required}>
<label for="${id}-to">${locale === 'ru' ? 'До' : 'To'}</label> <input id="${id}-to" type="datetime-local" name="${f.name}_to"${required}></fieldset>`;
      default: {
        const type = f.type === 'email' ? 'email' : f.type === 'phone' ? 'tel' : 'text';
        return `<p>${label}<br><input id="${id}" type="${type}" name="${f.name}"${required}></p>`;
      }
    }
  };
  return `<form method="post" action="/webform/forms/${escapeHtml(form.id)}/submissions" accept-charset="utf-8">
<h1>${escapeHtml(form.title)}</h1>
<input type="hidden" name="idempotency_key" value="${randomUUID()}">
<input type="hidden" name="locale" value="${locale}">
${form.fields.map(field).join('\n')}
<div style="position:absolute;left:-10000px" aria-hidden="true"><label for="f-website">website</label><input id="f-website" name="website" tabindex="-1" autocomplete="off"></div>
<p><button type="submit">${locale === 'ru' ? 'Отправить' : 'Send'}</button></p>
</form>`;
}
