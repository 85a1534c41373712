/**
 * GET /openapi.json: a structurally valid OpenAPI 3.1 document that describes every route of
 * the app, whose schemas are valid JSON Schema 2020-12, and to which every response of a sweep
 * over every endpoint — good parameters, bad ones, unknown centres — conforms.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi } from '../../functions/api/app.js';
import { type ApiClient, CENTER, DAYS, startApiPipeline } from './api-client.js';
import { componentsAjv, type OpenApiDocument } from './openapi-conformance.js';

/**
 * The structure of an OpenAPI 3.1 document, as far as this API uses it (OpenAPI 3.1 §4.8):
 * written out here because the official schema is not an installed package.
 */
const OPENAPI_31_SUBSET = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  required: ['openapi', 'info', 'paths'],
  properties: {
    openapi: { type: 'string', pattern: '^3\\.1\\.\\d+$' },
    info: {
      type: 'object',
      required: ['title', 'version'],
      properties: { title: { type: 'string' }, version: { type: 'string' }, description: { type: 'string' } },
    },
    paths: {
      type: 'object',
      propertyNames: { pattern: '^/' },
      additionalProperties: {
        type: 'object',
        propertyNames: { enum: ['get', 'head', 'summary', 'description', 'parameters'] },
        additionalProperties: { $ref: '#/$defs/operation' },
      },
    },
    components: {
      type: 'object',
      properties: {
        schemas: { type: 'object', additionalProperties: { type: ['object', 'boolean'] } },
        securitySchemes: {
          type: 'object',
          additionalProperties: {
            type: 'object',
            required: ['type'],
            properties: { type: { enum: ['apiKey', 'http', 'mutualTLS', 'oauth2', 'openIdConnect'] } },
          },
        },
      },
    },
    security: { type: 'array', items: { type: 'object', additionalProperties: { type: 'array' } } },
    tags: { type: 'array', items: { type: 'object', required: ['name'] } },
  },
  $defs: {
    operation: {
      type: 'object',
      required: ['responses', 'operationId'],
      properties: {
        operationId: { type: 'string' },
        summary: { type: 'string' },
        tags: { type: 'array', items: { type: 'string' } },
        parameters: {
          type: 'array',
          items: {
            type: 'object',
            required: ['name', 'in', 'schema'],
            properties: {
              name: { type: 'string' },
              in: { enum: ['query', 'header', 'path', 'cookie'] },
              required: { type: 'boolean' },
              schema: { type: 'object' },
            },
            if: { properties: { in: { const: 'path' } } },
            // biome-ignore lint/suspicious/noThenProperty: `then` is the JSON Schema keyword
            then: { required: ['required'], properties: { required: { const: true } } },
          },
        },
        responses: {
          type: 'object',
          minProperties: 1,
          propertyNames: { pattern: '^([1-5]\\d\\d|[1-5]XX|default)$' },
          additionalProperties: {
            type: 'object',
            required: ['description'],
            properties: {
              description: { type: 'string' },
              headers: {
                type: 'object',
                additionalProperties: { type: 'object', required: ['schema'] },
              },
              content: {
                type: 'object',
                propertyNames: { pattern: '^[a-z]+/[a-z0-9.+-]+$' },
                additionalProperties: { type: 'object', required: ['schema'] },
              },
            },
          },
        },
      },
    },
  },
};

/** Every `$ref` in the document. */
function refs(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refs);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => (k === '$ref' && typeof v === 'string' ? [v] : refs(v)));
}

/** `/v1/centers/:center/kpis` → `/v1/centers/{center}/kpis`. */
const openApiPath = (honoPath: string) => honoPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

let api: ApiClient;
let doc: OpenApiDocument;
beforeAll(async () => {
  api = await startApiPipeline();
  doc = api.doc;
});
afterAll(async () => {
  await api?.cleanup();
});

describe('the OpenAPI document', () => {
  it('is an OpenAPI 3.1 document with the structure of the specification', () => {
    const ajv = new Ajv2020({ strict: true, strictRequired: false, allowUnionTypes: true, allErrors: true });
    const validate = ajv.compile(OPENAPI_31_SUBSET);
    expect(validate(doc), ajv.errorsText(validate.errors)).toBe(true);
    expect(doc.openapi).toBe('3.1.0');
    // The check has teeth: a response without a description or a path parameter that is optional fails it.
    const broken = structuredClone(doc);
    const kpis = broken.paths['/v1/centers/{center}/kpis']?.get;
    if (!kpis?.responses['200'] || !kpis.parameters?.[0]) throw new Error('no kpis operation');
    kpis.responses['200'].description = undefined as unknown as string;
    expect(validate(broken)).toBe(false);
    const optional = structuredClone(doc);
    const center = optional.paths['/v1/centers/{center}/files']?.get?.parameters?.find(
      (p) => p.in === 'path',
    );
    if (!center) throw new Error('no centre parameter');
    center.required = false;
    expect(validate(optional)).toBe(false);
  });

  it('has only references that resolve, and component schemas that are valid JSON Schema 2020-12', () => {
    const all = new Set(refs(doc));
    expect(all.size).toBeGreaterThan(10);
    for (const ref of all) {
      expect(ref).toMatch(/^#\/components\/schemas\/[A-Za-z]+$/);
      expect(doc.components.schemas, ref).toHaveProperty(ref.split('/').at(-1) as string);
    }
    // Adding a schema validates it against the 2020-12 meta-schema; compiling resolves its references.
    const ajv = componentsAjv(doc);
    for (const name of Object.keys(doc.components.schemas))
      expect(ajv.getSchema(`urn:kpi-api:components:schemas:${name}`), name).toBeTypeOf('function');
  });

  it('describes every route the app serves, and nothing else', () => {
    const app = createApi({} as never);
    const served = new Set(
      app.routes
        .filter((r) => r.method === 'GET' && r.path !== '/openapi.json')
        .map((r) => openApiPath(r.path)),
    );
    expect(Object.keys(doc.paths).sort()).toEqual([...served].sort());
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/centers',
        '/v1/centers/{center}/kpis',
        '/v1/centers/{center}/exceptions',
        '/v1/centers/{center}/files',
        '/v1/centers/{center}/config',
        '/v1/definitions',
        '/v1/schemas/center-config.json',
      ]),
    );
  });

  it('declares the path parameters, unique operation ids and the error responses of every operation', () => {
    const ids = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths)) {
      const operation = item.get;
      if (!operation) throw new Error(`${path} has no GET`);
      expect(ids.has(operation.operationId ?? '')).toBe(false);
      ids.add(operation.operationId ?? '');
      const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      const declared = (operation.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
      expect(declared, path).toEqual(templated);
      const statuses = Object.keys(operation.responses).sort();
      expect(statuses, path).toEqual(
        templated.length > 0
          ? ['200', '400', '403', '404', '429', '500']
          : ['200', '400', '403', '429', '500'],
      );
      for (const status of statuses.filter((s) => s !== '200'))
        expect(operation.responses[status]?.content?.['application/json']?.schema).toEqual({
          $ref: '#/components/schemas/Error',
        });
    }
  });

  it('requires SigV4 on every operation', () => {
    expect(doc.security).toEqual([{ sigv4: [] }]);
    expect(doc.components.securitySchemes?.sigv4).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: 'Authorization',
      'x-amazon-apigateway-authtype': 'awsSigv4',
    });
  });

  it('documents limit as 1 to 1000 with the default of 100 on every list', () => {
    for (const path of [
      '/v1/centers',
      '/v1/centers/{center}/kpis',
      '/v1/centers/{center}/exceptions',
      '/v1/centers/{center}/files',
    ]) {
      const limit = doc.paths[path]?.get?.parameters?.find((p) => p.name === 'limit');
      expect(limit?.schema, path).toEqual({ type: 'integer', minimum: 1, maximum: 1000, default: 100 });
      expect(
        doc.paths[path]?.get?.parameters?.some((p) => p.name === 'next'),
        path,
      ).toBe(true);
    }
  });
});

describe('every response of every endpoint conforms to the document', () => {
  // The client checks each response against the document; these calls cover every route with
  // good parameters, bad ones and unknown centres, in JSON and CSV.
  const c = `/v1/centers/${CENTER}`;
  const cases: Array<[string, number, Record<string, string>?]> = [
    ['/v1/centers', 200],
    ['/v1/centers?limit=1', 200],
    ['/v1/centers?format=csv', 200],
    ['/v1/centers?limit=0', 400],
    [`${c}/kpis?date=${DAYS[0]}`, 200],
    [`${c}/kpis?date=${DAYS[1]}&scope=hour`, 200],
    [`${c}/kpis?date=${DAYS[1]}&scope=queue&id=billing&metric=aht_seconds`, 200],
    [`${c}/kpis?date=2026-01-01`, 200],
    [`${c}/kpis?from=${DAYS[0]}&to=${DAYS[1]}&scope=agent&limit=3`, 200],
    [`${c}/kpis?from=${DAYS[0]}&to=${DAYS[1]}`, 200, { accept: 'text/csv' }],
    [`${c}/kpis?date=2026-02-29`, 400],
    [`${c}/kpis?from=${DAYS[1]}&to=${DAYS[0]}`, 400],
    ['/v1/centers/nowhere/kpis?date=2026-11-02', 404],
    [`${c}/exceptions?date=${DAYS[1]}`, 200],
    [`${c}/exceptions?date=${DAYS[0]}`, 200],
    [`${c}/exceptions?from=${DAYS[0]}&to=${DAYS[1]}&limit=2`, 200],
    [`${c}/exceptions?date=2026-01-01`, 200],
    [`${c}/exceptions?date=${DAYS[1]}&format=csv`, 200],
    [`${c}/exceptions?date=${DAYS[1]}&scope=hour`, 400],
    ['/v1/centers/nowhere/exceptions?date=2026-11-02', 404],
    [`${c}/files`, 200],
    [`${c}/files?date=${DAYS[1]}&limit=1`, 200],
    ['/v1/centers/_unrouted/files', 200],
    [`${c}/files?format=csv`, 200],
    [`${c}/files?next=x`, 400],
    ['/v1/centers/nowhere/files', 404],
    [`${c}/config`, 200],
    ['/v1/centers/south/config', 200],
    [`${c}/config?x=1`, 400],
    ['/v1/centers/nowhere/config', 404],
    ['/v1/definitions', 200],
    ['/v1/definitions?format=csv', 200],
    ['/v1/definitions?limit=5', 400],
    ['/v1/schemas/center-config.json', 200],
    ['/v1/schemas/center-config.json?pretty=1', 400],
    ['/v1/nothing-here', 404],
  ];

  it.each(cases)('GET %s → %i', async (path, status, headers) => {
    const r = await api.get(path, headers);
    expect(r.status, r.text).toBe(status);
  });

  it('conforms for HEAD, OPTIONS and methods that are not allowed', async () => {
    expect((await api.request(`${c}/config`, { method: 'HEAD' })).status).toBe(200);
    expect((await api.request(`${c}/config`, { method: 'OPTIONS' })).status).toBe(204);
    expect((await api.request(`${c}/config`, { method: 'PUT' })).status).toBe(405);
  });
});
