import sanitizeHtml from 'sanitize-html';

/**
 * HTML as agents may see it: formatting kept; scripts, forms, styles that can phone home and remote
 * images dropped (a remote image tells the sender when the mail was read); inline images stay as
 * `cid:` references to the message's attachments.
 */
export function sanitiseHtml(html: string): string {
  return sanitizeHtml(html, {
    allowedTags: [...sanitizeHtml.defaults.allowedTags, 'img', 'span', 'font', 'center'],
    allowedAttributes: {
      ...sanitizeHtml.defaults.allowedAttributes,
      '*': ['style', 'align', 'dir', 'lang', 'title'],
      img: ['src', 'alt', 'width', 'height'],
      font: ['color', 'face', 'size'],
      td: ['colspan', 'rowspan', 'width', 'valign'],
      th: ['colspan', 'rowspan', 'width', 'valign'],
    },
    allowedSchemes: ['http', 'https', 'mailto', 'tel'],
    allowedSchemesByTag: { img: ['cid', 'data'] },
    allowedStyles: {
      '*': {
        color: [/^[#\w(),.\s%]+$/],
        'background-color': [/^[#\w(),.\s%]+$/],
        'text-align': [/^(left|right|center|justify)$/],
        'font-weight': [/^\w+$/],
        'font-style': [/^\w+$/],
        'text-decoration': [/^[\w\s]+$/],
      },
    },
  });
}
