import { loadOkConfig } from '../src/config';

const group = { token: 'tkn1-secret-token', secret: 'Zq3vT9kLm2Np8RwX' };
const env = (groups: unknown, more: Record<string, string> = {}) => ({
  OK_GROUPS: typeof groups === 'string' ? groups : JSON.stringify(groups),
  OK_PUBLIC_URL: 'https://support.example/',
  ...more,
});

describe('the OK configuration', () => {
  it('reads the groups, with OK’s API by default and the public URL without its slash', () => {
    expect(loadOkConfig(env([group]))).toEqual({
      groups: [group],
      apiUrl: 'https://api.ok.ru',
      publicUrl: 'https://support.example',
      uploadProcessingMs: 3_000,
    });
  });

  it.each([
    ['x', 'is invalid: must be JSON'],
    [[], 'must name at least one group'],
    [[{ secret: group.secret }], 'group 1 token'],
    [[{ ...group, secret: 's3cret' }], 'group 1 secret: secret must be at least 16 characters'],
    [[{ ...group, secret: 'Zq3vT9kLm2Np8RwX/..' }], 'secret may only contain letters, digits'],
    [[{ ...group, secret: 'x'.repeat(129) }], 'secret must be at most 128 characters'],
    [[group, { ...group, token: 'other' }], 'gives two groups the same secret'],
    [[group, { ...group, secret: 'Another-secret-16' }], 'names a token twice'],
  ])('stops with one line naming OK_GROUPS for %j, never its tokens', (groups, problem) => {
    const load = () => loadOkConfig(env(groups));
    expect(load).toThrow(/^configuration error: OK_GROUPS [^\n]+$/);
    expect(load).toThrow(problem);
    expect(load).not.toThrow(group.token);
  });

  it('needs OK_GROUPS and the public URL OK posts webhooks to', () => {
    expect(() => loadOkConfig({ OK_PUBLIC_URL: 'https://support.example' })).toThrow(
      'OK_GROUPS is required',
    );
    expect(() => loadOkConfig({ OK_GROUPS: JSON.stringify([group]) })).toThrow(
      'OK_PUBLIC_URL is required',
    );
    expect(() => loadOkConfig(env([group], { OK_PUBLIC_URL: 'support.example' }))).toThrow(
      'OK_PUBLIC_URL is invalid',
    );
  });
});
