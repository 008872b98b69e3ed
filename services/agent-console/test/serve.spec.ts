import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import request from 'supertest';
import { serveAgentConsole } from '../src';

@Module({})
class EmptyModule {}

describe('serving the console from a service', () => {
  let app: INestApplication;
  const files = mkdtempSync(join(tmpdir(), 'agent-console-'));
  writeFileSync(join(files, 'index.html'), '<!doctype html><title>Firstline</title>');
  writeFileSync(join(files, 'main.js'), 'export {};');

  beforeAll(async () => {
    app = await NestFactory.create(EmptyModule, { logger: false });
    serveAgentConsole(app, files);
    await app.init();
  });

  afterAll(() => app.close());

  it('serves the page and its modules at /console/, revalidated on every load, never framed', async () => {
    const page = await request(app.getHttpServer()).get('/console/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<title>Firstline</title>');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['x-frame-options']).toBe('DENY');
    const script = await request(app.getHttpServer()).get('/console/main.js');
    expect(script.headers['content-type']).toMatch(/^(text|application)\/javascript/);
  });

  it('sends the site root and /console to the console', async () => {
    expect((await request(app.getHttpServer()).get('/')).headers.location).toBe('/console/');
    expect((await request(app.getHttpServer()).get('/console')).headers.location).toBe('/console/');
  });

  it('says how to build the console when its files are missing, and the service still starts', async () => {
    const unbuilt = await NestFactory.create(EmptyModule, { logger: false });
    serveAgentConsole(unbuilt, join(mkdtempSync(join(tmpdir(), 'agent-console-')), 'public'));
    await unbuilt.init();
    try {
      const page = await request(unbuilt.getHttpServer()).get('/console/');
      expect(page.status).toBe(503);
      expect(page.text).toMatch(/not built: run `npm run build`/);
    } finally {
      await unbuilt.close();
    }
  });
});
