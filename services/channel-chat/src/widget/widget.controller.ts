import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Header } from '@nestjs/common';

/** Read once: the widget is one static script. */
const WIDGET = readFileSync(join(__dirname, 'widget.js'), 'utf8');

/** `<script src="https://support.example/chat/widget.js" data-locale="ru" async></script>` */
@Controller('chat')
export class WidgetController {
  @Get('widget.js')
  @Header('content-type', 'text/javascript; charset=utf-8')
  @Header('cache-control', 'public, max-age=300')
  widget(): string {
    return WIDGET;
  }
}
