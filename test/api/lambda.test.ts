/**
 * The same app behind API Gateway: REST proxy events through the Lambda adapter the API
 * function uses (functions/handlers/api.ts), without network.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { handle } from 'hono/aws-lambda';
import { describe, expect, it } from 'vitest';
import { type ApiDeps, createApi } from '../../functions/api/app.js';

/** Stores that know no centre and fail on anything else. */
function emptyStores(): ApiDeps {
  const fail = async () => {
    throw Object.assign(new Error('table kpi-records is gone'), { name: 'ResourceNotFoundException' });
  };
  return {
    kpis: { dates: async () => [] } as unknown as ApiDeps['kpis'],
    exceptions: {} as ApiDeps['exceptions'],
    ledger: { list: async () => ({ items: [], next: null }) } as unknown as ApiDeps['ledger'],
    centers: {
      listCenters: fail,
      getConfig: async () => null,
      listDays: async () => [],
    } as unknown as ApiDeps['centers'],
  };
}

function restEvent(method: string, path: string, query: Record<string, string> = {}): APIGatewayProxyEvent {
  return {
    httpMethod: method,
    path,
    resource: '/{proxy+}',
    headers: { Host: 'abc123.execute-api.eu-west-1.amazonaws.com', Accept: 'application/json' },
    multiValueHeaders: {
      Host: ['abc123.execute-api.eu-west-1.amazonaws.com'],
      Accept: ['application/json'],
    },
    queryStringParameters: Object.keys(query).length > 0 ? query : null,
    multiValueQueryStringParameters:
      Object.keys(query).length > 0
        ? Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]]))
        : null,
    pathParameters: { proxy: path.slice(1) },
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext: {
      requestId: 'req-7f3a',
      stage: 'prod',
      path: `/prod${path}`,
      httpMethod: method,
      identity: { sourceIp: '203.0.113.9', userArn: 'arn:aws:iam::123456789012:user/analyst' },
    } as APIGatewayProxyEvent['requestContext'],
  };
}

const handler = handle(createApi(emptyStores())) as unknown as (
  event: APIGatewayProxyEvent,
  context: Context,
) => Promise<APIGatewayProxyResult>;
const invoke = (event: APIGatewayProxyEvent) => handler(event, {} as Context);

/** A response header, from `headers` or (for REST events, as the adapter answers them) `multiValueHeaders`. */
function header(r: APIGatewayProxyResult, name: string): string | undefined {
  return String(r.headers?.[name] ?? r.multiValueHeaders?.[name]?.join(', ') ?? '') || undefined;
}

describe('the API behind API Gateway', () => {
  it('serves a route with its query parameters', async () => {
    const r = await invoke(restEvent('GET', '/v1/definitions', { format: 'csv' }));
    expect(r.statusCode).toBe(200);
    expect(header(r, 'content-type')).toBe('text/csv; charset=utf-8');
    expect(r.body.split('\r\n')[0]).toBe('name,title,unit,scopes,better,side,volume,denominator,description');
  });

  it('answers 400, 404 and 405 in the error shape', async () => {
    const bad = await invoke(restEvent('GET', '/v1/centers/north/kpis', { date: '2026-02-30' }));
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body).error.message).toBe('date must be a calendar date YYYY-MM-DD');
    const unknown = await invoke(restEvent('GET', '/v1/centers/north/config'));
    expect(unknown.statusCode).toBe(404);
    const post = await invoke(restEvent('POST', '/v1/centers'));
    expect(post.statusCode).toBe(405);
    expect(header(post, 'allow')).toBe('GET, HEAD, OPTIONS');
  });

  it('gives a 500 the API Gateway request id as its correlation id', async () => {
    const r = await invoke(restEvent('GET', '/v1/centers'));
    expect(r.statusCode).toBe(500);
    expect(JSON.parse(r.body)).toEqual({
      error: { code: 'internal_error', message: 'internal error', correlation_id: 'req-7f3a' },
    });
  });
});
