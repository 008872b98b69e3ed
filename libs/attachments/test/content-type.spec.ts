import { contentDisposition, safeFileName, servedContentType, sniffContentType } from '../src';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const PDF = Buffer.from('%PDF-1.7\n%âãÏÓ');
const ZIP = Buffer.from([0x50, 0x4b, 0x03, 0x04, 20, 0]);
const HTML = Buffer.from('<!doctype html><script>alert(1)</script>');

describe('the type a stored file is served with', () => {
  it.each([
    ['a PNG that is a PNG', 'image/png', PNG, 'image/png'],
    [
      'a PDF that is a PDF, with parameters',
      'Application/PDF; name="a.pdf"',
      PDF,
      'application/pdf',
    ],
    ['a "PNG" whose bytes are a PDF', 'image/png', PDF, 'application/octet-stream'],
    ['a "PDF" whose bytes are HTML', 'application/pdf', HTML, 'application/octet-stream'],
    ['HTML, which would run on our origin', 'text/html', HTML, 'application/octet-stream'],
    [
      'SVG, which may hold scripts',
      'image/svg+xml',
      Buffer.from('<svg/>'),
      'application/octet-stream',
    ],
    [
      'text with a NUL byte',
      'text/plain',
      Buffer.from([0x61, 0, 0x62]),
      'application/octet-stream',
    ],
    ['plain text', 'text/plain', Buffer.from('hello'), 'text/plain'],
    [
      'a Word document (a zip inside)',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      ZIP,
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    ],
    ['a CSV whose bytes are a PNG', 'text/csv', PNG, 'application/octet-stream'],
    ['a CSV that is text', 'text/csv', Buffer.from('a,b\n1,2'), 'text/csv'],
    ['no type at all', '', PNG, 'application/octet-stream'],
  ])('%s', (_case, stored, bytes, served) => {
    expect(servedContentType(stored, bytes)).toBe(served);
  });

  it('recognises binary formats by their first bytes, but never text', () => {
    expect(sniffContentType(PNG)).toBe('image/png');
    expect(sniffContentType(PDF)).toBe('application/pdf');
    expect(sniffContentType(Buffer.from('just words'))).toBeUndefined();
  });
});

describe('Content-Disposition', () => {
  it('shows proven pictures inline and downloads everything else', () => {
    expect(contentDisposition('image/png', 'screen.png')).toMatch(/^inline; /);
    expect(contentDisposition('application/pdf', 'invoice.pdf')).toMatch(/^attachment; /);
    expect(contentDisposition('application/octet-stream', 'x.png')).toMatch(/^attachment; /);
  });

  it('gives an ASCII name for old clients and the exact name as RFC 8187 UTF-8', () => {
    expect(contentDisposition('application/pdf', 'Счёт №5 (июнь).pdf')).toBe(
      `attachment; filename="____ _5 (____).pdf"; filename*=UTF-8''%D0%A1%D1%87%D1%91%D1%82%20%E2%84%965%20%28%D0%B8%D1%8E%D0%BD%D1%8C%29.pdf`,
    );
  });

  it('keeps paths, quotes and control characters out of the header', () => {
    expect(safeFileName('../../etc/"passwd"\r\n')).toBe('passwd');
    expect(safeFileName('')).toBe('file');
  });
});
