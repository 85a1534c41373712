/**
 * Failures of the stores, without network: DynamoDB throttling becomes 429 with Retry-After,
 * anything unexpected a 500 with a correlation id and never a stack trace or the error's text.
 * (The emulators cannot be made to throttle, so the stores here are stand-ins.)
 */
import { describe, expect, it } from 'vitest';
import { type ApiDeps, createApi } from '../../functions/api/app.js';
import { RETRY_AFTER_SECONDS } from '../../functions/api/limits.js';
import { conformance, type OpenApiDocument } from './openapi-conformance.js';

/** Stores whose every call fails with `error`; the log lines are collected. */
function failingApi(error: unknown) {
  const fail = async () => {
    throw error;
  };
  const logged: Array<{ message: string; fields: Record<string, unknown> }> = [];
  const store = new Proxy({}, { get: () => fail });
  const deps: ApiDeps = {
    kpis: store as ApiDeps['kpis'],
    exceptions: store as ApiDeps['exceptions'],
    ledger: store as ApiDeps['ledger'],
    centers: store as ApiDeps['centers'],
    log: (message, fields) => logged.push({ message, fields }),
  };
  return { app: createApi(deps), logged };
}

/** An error as the AWS SDK throws it for a DynamoDB error response. */
function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
}

const documentOf = async (app: ReturnType<typeof createApi>) =>
  (await (await app.request('/openapi.json')).json()) as OpenApiDocument;

describe('throttling', () => {
  it.each(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded'])(
    'answers %s from the store with 429 and Retry-After',
    async (name) => {
      const { app, logged } = failingApi(awsError(name, 'Rate of requests exceeds the allowed throughput.'));
      const check = conformance(await documentOf(app));
      for (const path of [
        '/v1/centers',
        '/v1/centers/north/kpis?date=2026-11-02',
        '/v1/centers/north/files',
      ]) {
        const r = await app.request(path);
        const body = await r.json();
        expect(r.status, path).toBe(429);
        expect(r.headers.get('retry-after')).toBe(String(RETRY_AFTER_SECONDS));
        expect(body).toEqual({
          error: { code: 'throttled', message: expect.stringMatching(/retry after 1 s/) },
        });
        check.check('GET', path, r.status, r.headers.get('content-type'), body);
      }
      expect(logged).toEqual([]);
    },
  );

  it('treats any error the SDK marks as throttling the same way', async () => {
    const error = Object.assign(new Error('slow down'), {
      name: 'SlowDown',
      $retryable: { throttling: true },
    });
    expect((await failingApi(error).app.request('/v1/centers')).status).toBe(429);
  });
});

describe('unexpected failures', () => {
  it('answers 500 with a generic message and a correlation id, and logs the details under that id', async () => {
    const { app, logged } = failingApi(
      new Error('connect ECONNREFUSED 10.0.0.7:443 while reading kpi-records'),
    );
    const r = await app.request('/v1/centers/north/kpis?date=2026-11-02');
    const text = await r.text();
    expect(r.status).toBe(500);
    const body = JSON.parse(text);
    expect(body).toEqual({
      error: { code: 'internal_error', message: 'internal error', correlation_id: expect.any(String) },
    });
    expect(text).not.toMatch(/ECONNREFUSED|kpi-records|at .+\.ts:\d+/);
    expect(logged).toHaveLength(1);
    expect(logged[0]?.fields).toMatchObject({
      correlation_id: body.error.correlation_id,
      path: '/v1/centers/north/kpis',
      error: { name: 'Error', message: expect.stringContaining('ECONNREFUSED'), stack: expect.any(String) },
    });
    conformance(await documentOf(app)).check(
      'GET',
      '/v1/centers/north/kpis',
      500,
      r.headers.get('content-type'),
      body,
    );
  });

  it('uses the API Gateway request id as the correlation id in Lambda', async () => {
    const { app, logged } = failingApi(new Error('boom'));
    const r = await app.request('/v1/centers', {}, { requestContext: { requestId: 'c0ffee-1234' } });
    expect(((await r.json()) as { error: { correlation_id: string } }).error.correlation_id).toBe(
      'c0ffee-1234',
    );
    expect(logged[0]?.fields.correlation_id).toBe('c0ffee-1234');
  });

  it('maps a store ValidationException to 500 when the request carried no next token', async () => {
    const { app } = failingApi(awsError('ValidationException', 'One or more parameter values were invalid'));
    expect((await app.request('/v1/centers/north/files')).status).toBe(500);
  });
});
