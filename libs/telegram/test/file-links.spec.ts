import { fileLink, fileLinkKey, servedFile, verifyFileLink } from '../src';

describe('file links', () => {
  const key = fileLinkKey('1001:TOKEN');
  const now = new Date('2026-12-01T12:00:00Z');
  const expires = now.getTime() / 1000 + 60;
  const link = new URL(
    fileLink(
      'https://adapter.test',
      { bot: 'support', fileId: 'f1', fileName: 'a.pdf', expires },
      key,
    ),
  );
  const signed = {
    bot: 'support',
    fileId: 'f1',
    ...(Object.fromEntries(link.searchParams) as Record<string, string>),
  };

  it.each([
    ['the link as signed, before it expires', signed, now, 'valid'],
    ['the link after it expired', signed, new Date(now.getTime() + 61_000), 'expired'],
    ['a link without signature', { bot: 'support', fileId: 'f1' }, now, 'forged'],
    ['another file under the same signature', { ...signed, fileId: 'f2' }, now, 'forged'],
    ['the same file under another name', { ...signed, name: 'a.html' }, now, 'forged'],
    ['a later expiry', { ...signed, expires: String(expires + 3600) }, now, 'forged'],
    ['another bot', { ...signed, bot: 'sales' }, now, 'forged'],
  ])('%s is %s', (_, request, at, kind) => {
    expect(verifyFileLink(request, key, at).kind).toBe(kind);
  });

  it('is not valid under another bot token’s key', () => {
    expect(verifyFileLink(signed, fileLinkKey('1001:OTHER'), now).kind).toBe('forged');
  });
});

describe('how a file is served', () => {
  it.each([
    ['photo.JPG', 'image/jpeg', 'inline; filename="photo.JPG"; filename*=UTF-8\'\'photo.JPG'],
    ['voice.ogg', 'audio/ogg', 'inline; filename="voice.ogg"; filename*=UTF-8\'\'voice.ogg'],
    [
      'page.html',
      'application/octet-stream',
      'attachment; filename="page.html"; filename*=UTF-8\'\'page.html',
    ],
    [
      'logo.svg',
      'application/octet-stream',
      'attachment; filename="logo.svg"; filename*=UTF-8\'\'logo.svg',
    ],
    [
      'счёт "1".pdf',
      'application/octet-stream',
      'attachment; filename="____ _1_.pdf"; filename*=UTF-8\'\'%D1%81%D1%87%D1%91%D1%82%20%221%22.pdf',
    ],
  ])('%s as %s', (name, contentType, disposition) => {
    expect(servedFile(name)).toEqual({ contentType, disposition });
  });
});
