import { BadInputError } from '@firstline/errors';
import { classifySmtpError } from '../src/errors';

describe('classifySmtpError', () => {
  it.each([
    [{ responseCode: 550, response: '550 5.1.1 User unknown' }, 'permanent'],
    [{ responseCode: 552, response: '552 Message too large' }, 'permanent'],
    [{ responseCode: 421, response: '421 Try again later' }, 'retryable'],
    [{ responseCode: 451, response: '451 Greylisted' }, 'retryable'],
    [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ESOCKET' }), 'retryable'],
    [Object.assign(new Error('No recipients defined'), { code: 'EENVELOPE' }), 'bad-input'],
  ])('%j is %s', (error, kind) => {
    expect(classifySmtpError(error).kind).toBe(kind);
  });

  it('keeps the kind of an error that already has one', () => {
    const error = new BadInputError('no recipient');
    expect(classifySmtpError(error)).toBe(error);
  });
});
