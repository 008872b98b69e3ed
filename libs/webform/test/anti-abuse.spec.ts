import { acceptedFileType, cleanFileName, refusalByHeaders, UploadSlots } from '../src';

describe('refusals by headers, before the body is read', () => {
  const limits = { maxBodyBytes: 1_000, maxAttachmentBytes: 10_000, maxAttachments: 2 };
  // Multipart: 1,000 of fields + 2 × 10,000 of files + 65,536 of part headers.
  const largestUpload = 86_536;

  it.each([
    ['JSON within the limit', 'application/json; charset=utf-8', '1000', undefined],
    ['JSON over the limit', 'application/json', '1001', [413, 1_000]],
    ['a form without a declared length', 'application/x-www-form-urlencoded', undefined, undefined],
    [
      'an upload at its largest',
      'multipart/form-data; boundary=x',
      String(largestUpload),
      undefined,
    ],
    [
      'an upload past its largest',
      'multipart/form-data; boundary=x',
      String(largestUpload + 1),
      [413, largestUpload],
    ],
    ['a type the API does not read', 'text/plain', '10', [415, undefined]],
    ['no type at all', undefined, '10', [415, undefined]],
  ])('%s', (_, type, length, expected) => {
    const refusal = refusalByHeaders(type, length, limits);
    expect(refusal && [refusal.status, refusal.details.limit]).toEqual(expected);
  });
});

describe('upload slots', () => {
  it('let the limit of uploads in at once, and one more once one is given back', () => {
    const slots = new UploadSlots(2);
    const first = slots.take();
    const second = slots.take();
    expect([first, second].every(Boolean)).toBe(true);
    expect(slots.take()).toBeUndefined();
    first!();
    first!(); // giving a slot back twice frees it once
    expect(slots.take()).toBeDefined();
    expect(slots.take()).toBeUndefined();
  });
});

describe('attachments', () => {
  const allowed = ['image/png', 'application/pdf', 'text/plain'];
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]);

  it.each([
    ['a PNG that is one', 'image/png', png, 'image/png'],
    [
      'a PDF declared with parameters',
      'application/pdf; name=x',
      Buffer.from('%PDF-1.4'),
      'application/pdf',
    ],
    ['plain text', 'text/plain', Buffer.from('hello'), 'text/plain'],
    ['an executable called a PDF', 'application/pdf', Buffer.from('MZ\x90\x00'), undefined],
    ['binary called text', 'text/plain', Buffer.from([104, 0, 105]), undefined],
    ['a type the shop does not take', 'application/zip', Buffer.from('PK'), undefined],
  ])('%s', (_case, declared, bytes, expected) => {
    expect(acceptedFileType(declared, bytes, allowed)).toBe(expected);
  });

  it('keep only the name of a file, without paths or control characters', () => {
    expect(cleanFileName('C:\\Users\\bob\\scan "1".pdf')).toBe('scan 1.pdf');
    expect(cleanFileName('../../etc/passwd')).toBe('passwd');
    expect(cleanFileName('\u0007')).toBe('file');
  });
});
