import sanitizeHtml from 'sanitize-html';

/**
 * Inbound HTML as it may be shown in the console: formatting and links survive; scripts, event
 * handlers, styles and remote frames do not. Inline images keep `cid:` references.
 */
export function sanitiseHtml(html: string): string {
  if (!html) return '';
  return sanitizeHtml(html, {
    allowedTags: [...sanitizeHtml.defaults.allowedTags, 'img'],
    allowedAttributes: {
      a: ['href', 'name', 'title'],
      img: ['src', 'alt', 'title', 'width', 'height'],
      td: ['colspan', 'rowspan'],
      th: ['colspan', 'rowspan'],
    },
    allowedSchemes: ['http', 'https', 'mailto', 'cid'],
    allowedSchemesByTag: { img: ['http', 'https', 'cid', 'data'] },
  });
}
