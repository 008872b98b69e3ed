import { readSurveyAnswer } from '../src';

describe('readSurveyAnswer', () => {
  it.each<[string, ReturnType<typeof readSurveyAnswer>]>([
    ['5', { score: 5, comment: '' }],
    ['  4  ', { score: 4, comment: '' }],
    ['2 — долго отвечали', { score: 2, comment: 'долго отвечали' }],
    ['3. Slow, but solved', { score: 3, comment: 'Slow, but solved' }],
    ['1\nNobody called me back', { score: 1, comment: 'Nobody called me back' }],
    ['4/5', { score: 4, comment: '' }],
    ['4 из 5: спасибо', { score: 4, comment: 'спасибо' }],
    ['5 of 5!', { score: 5, comment: '' }],
    ['5\n\n-- \nBob Customer\nAcme Ltd', { score: 5, comment: '' }],
    ['5 more orders failed today', undefined],
    ['0', undefined],
    ['6', undefined],
    ['10', undefined],
    ['Thanks, all good', undefined],
    ['', undefined],
    ['+7 999 123-45-67', undefined],
  ])('%j', (text, expected) => {
    expect(readSurveyAnswer(text)).toEqual(expected);
  });
});
