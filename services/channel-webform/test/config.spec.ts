import { parseWebformConfig } from '../src/config';

describe('web-form configuration', () => {
  it('works with nothing set: the built-in forms, open CORS, links from the request', () => {
    const config = parseWebformConfig({});
    expect(config.forms.map((form) => form.id)).toEqual(['contact', 'callback']);
    expect(config.allowedOrigins).toBe('*');
    expect(config.publicUrl).toBeUndefined();
    expect(config.rateLimits).toEqual({ perIp: 30, perEmail: 10, windowMs: 600_000 });
  });

  it('reads origins and the public URL', () => {
    const config = parseWebformConfig({
      WEBFORM_PUBLIC_URL: 'https://support.shop.example/',
      WEBFORM_ALLOWED_ORIGINS: 'https://shop.example, https://www.shop.example',
    });
    expect(config.publicUrl).toBe('https://support.shop.example');
    expect(config.allowedOrigins).toEqual(['https://shop.example', 'https://www.shop.example']);
  });

  it.each([
    [
      { WEBFORM_FORMS: '{' },
      'configuration error: WEBFORM_FORMS must be a JSON array of form definitions',
    ],
    [
      { WEBFORM_FORMS: '[]' },
      'configuration error: WEBFORM_FORMS is invalid: must define at least one form',
    ],
    [
      { WEBFORM_ALLOWED_ORIGINS: 'shop.example' },
      'configuration error: WEBFORM_ALLOWED_ORIGINS is invalid',
    ],
    [{ WEBFORM_PUBLIC_URL: 'support' }, 'configuration error: WEBFORM_PUBLIC_URL is invalid'],
    [
      { WEBFORM_RATE_LIMIT_PER_IP: '0' },
      'configuration error: WEBFORM_RATE_LIMIT_PER_IP is invalid',
    ],
    [
      { WEBFORM_ATTACHMENT_TYPES: 'pdf' },
      'configuration error: WEBFORM_ATTACHMENT_TYPES is invalid',
    ],
  ])('refuses %j with one line naming the variable', (env, message) => {
    expect(() => parseWebformConfig(env)).toThrow(message);
  });
});
