import { Channel } from '@firstline/contracts';
import { attachmentProblem, oversizeProblem } from '../src';

const MB = 1024 * 1024;
const pdf = (sizeBytes: number, fileName = 'invoice.pdf') => ({
  fileName,
  contentType: 'application/pdf',
  sizeBytes,
});
const photo = (sizeBytes: number) => ({
  fileName: 'shot.jpg',
  contentType: 'image/jpeg',
  sizeBytes,
});

describe('what a reply can carry, per channel', () => {
  it.each([
    [
      'email, two files under 25 MB together',
      Channel.EMAIL,
      [pdf(10 * MB), pdf(10 * MB)],
      undefined,
    ],
    [
      'email, 30 MB together',
      Channel.EMAIL,
      [pdf(20 * MB), pdf(10 * MB)],
      'The files come to 30 MB; Email takes at most 25 MB a message.',
    ],
    ['Telegram, a 40 MB document', Channel.TELEGRAM, [pdf(40 * MB)], undefined],
    [
      'Telegram, a 60 MB document',
      Channel.TELEGRAM,
      [pdf(60 * MB)],
      'invoice.pdf is 60 MB; Telegram takes a file of at most 50 MB.',
    ],
    [
      'Telegram, a 12 MB photo',
      Channel.TELEGRAM,
      [photo(12 * MB)],
      'shot.jpg is 12 MB; Telegram takes a picture of at most 10 MB.',
    ],
    ['VK, a 150 MB document', Channel.VK, [pdf(150 * MB)], undefined],
    [
      'VK, a 60 MB photo',
      Channel.VK,
      [photo(60 * MB)],
      'shot.jpg is 60 MB; VK takes a picture of at most 50 MB.',
    ],
    [
      'OK, six files',
      Channel.OK,
      Array.from({ length: 6 }, () => pdf(1000)),
      'OK carries at most 5 files a message; this reply has 6.',
    ],
    ['live chat, five files', Channel.CHAT, Array.from({ length: 5 }, () => pdf(MB)), undefined],
    [
      'live chat, a 12 MB file',
      Channel.CHAT,
      [pdf(12 * MB)],
      'invoice.pdf is 12 MB; Live chat takes a file of at most 10 MB.',
    ],
    [
      'a channel without files',
      Channel.UNSPECIFIED,
      [pdf(1000)],
      'This channel cannot carry files.',
    ],
    ['any channel, no file', Channel.CHAT, [], undefined],
  ])('%s', (_case, channel, files, problem) => {
    expect(attachmentProblem(channel, files)).toBe(problem);
  });
});

describe('an upload cut off at the channel’s file size', () => {
  it('says what the limit is, not a size nobody measured', () => {
    expect(oversizeProblem(Channel.CHAT, 'scan.pdf')).toBe(
      'scan.pdf is larger than 10 MB, the most Live chat takes for a file.',
    );
  });
});
