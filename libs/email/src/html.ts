import sanitizeHtml from 'sanitize-html';

/**
 * HTML as agents may see it: formatting kept; scripts, forms, styles that can phone home and remote
 * images dropped (a remote image tells the sender when the mail was read); inline images stay as
 * `cid:` references to the message's attachments.
 */
export function sanitiseHtml(html: string): string {
  return sanitizeHtml(withinNestingLimit(html), {
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

/**
 * The HTML parser's cost grows with the square of nesting depth, and no mail's layout nests
 * hundreds of elements deep: what lies beyond that depth is cut off (the text part still has it).
 */
const MAX_HTML_NESTING = 400;
// Elements that never nest (void) or that the next sibling closes implicitly (optional end tags).
const flatElements = new Set(
  'area base br col embed hr img input link meta param source track wbr p li dt dd option optgroup tr td th thead tbody tfoot colgroup rt rp'.split(
    ' ',
  ),
);

function withinNestingLimit(html: string): string {
  let depth = 0;
  // The name and the attributes cannot overlap, so a tag that never closes is read once.
  for (const tag of html.matchAll(/<(\/?)([a-zA-Z][^\s/<>]*)(?:[\s/][^<>]*)?>/g)) {
    const name = tag[2].toLowerCase();
    if (flatElements.has(name) || tag[0].endsWith('/>')) continue;
    depth += tag[1] ? -1 : 1;
    if (depth < 0) depth = 0;
    if (depth > MAX_HTML_NESTING) return html.slice(0, tag.index);
  }
  return html;
}
