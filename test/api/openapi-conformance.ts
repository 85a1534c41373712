/**
 * Checks responses against the API's own OpenAPI document: finds the operation of a request
 * path, the response of its status and the schema of its media type, resolves the document's
 * `$ref`s to its components and validates with ajv (JSON Schema 2020-12, as OpenAPI 3.1 uses).
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule.default;

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; securitySchemes?: Record<string, unknown> };
  security?: unknown[];
}

export interface Operation {
  operationId?: string;
  parameters?: Array<{ name: string; in: string; required?: boolean; schema: unknown }>;
  responses: Record<
    string,
    { description: string; content?: Record<string, { schema: unknown }>; headers?: Record<string, unknown> }
  >;
}

const COMPONENT_URN = 'urn:kpi-api:components:schemas:';

/** `#/components/schemas/X` → an absolute id ajv knows the component by. */
function absoluteRefs(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(absoluteRefs);
  if (schema === null || typeof schema !== 'object') return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([k, v]) => [
      k,
      k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/')
        ? `${COMPONENT_URN}${v.slice('#/components/schemas/'.length)}`
        : absoluteRefs(v),
    ]),
  );
}

/** An ajv instance that knows every component schema of the document (each validated against 2020-12). */
export function componentsAjv(doc: OpenApiDocument): Ajv2020 {
  // strict: a keyword ajv does not know is an error, except the annotations OpenAPI adds to JSON
  // Schema. strictTuples is off because zod writes a tuple as prefixItems alone (the centre
  // configuration's `between`), which is valid JSON Schema that merely allows extra items.
  const ajv = new Ajv2020({ strict: true, strictTypes: false, strictTuples: false, allErrors: true });
  addFormats(ajv);
  ajv.addVocabulary(['example', 'discriminator', 'xml', 'externalDocs']);
  for (const [name, schema] of Object.entries(doc.components.schemas))
    ajv.addSchema(absoluteRefs(schema) as object, `${COMPONENT_URN}${name}`);
  return ajv;
}

/** `/v1/centers/{center}/kpis` → a regex over request paths. */
function templateRegex(template: string): RegExp {
  const segments = template
    .split('/')
    .map((s) => (/^\{[^}]+\}$/.test(s) ? '[^/]+' : s.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&')));
  return new RegExp(`^${segments.join('/')}$`);
}

export interface Conformance {
  /** The document's template for a request path, or undefined when no route matches. */
  templateOf(path: string): string | undefined;
  /**
   * Throws with the ajv errors unless the response conforms to the document: a documented
   * status and media type of the route's operation, and a JSON body valid against its schema.
   * Responses outside every operation (404 for an unknown path, 405) must be `Error` objects.
   */
  check(method: string, path: string, status: number, contentType: string | null, body: unknown): void;
}

export function conformance(doc: OpenApiDocument): Conformance {
  const ajv = componentsAjv(doc);
  const templates = Object.keys(doc.paths).map((t) => ({ template: t, regex: templateRegex(t) }));
  const compiled = new Map<string, ValidateFunction>();
  const validatorFor = (key: string, schema: unknown) => {
    let v = compiled.get(key);
    if (!v) {
      v = ajv.compile(absoluteRefs(schema) as object);
      compiled.set(key, v);
    }
    return v;
  };
  const errorSchema = { $ref: '#/components/schemas/Error' };

  function templateOf(path: string): string | undefined {
    const bare = path.split('?')[0] ?? path;
    return templates.find((t) => t.regex.test(bare))?.template;
  }

  function check(method: string, path: string, status: number, contentType: string | null, body: unknown) {
    const where = `${method} ${path} → ${status}`;
    // OPTIONS is answered by the app for every path (documented in the info description).
    if (method === 'OPTIONS') {
      if (status !== 204 || body !== '') throw new Error(`${where}: OPTIONS must be 204 without a body`);
      return;
    }
    const mediaType = (contentType ?? '').split(';')[0]?.trim() ?? '';
    const template = templateOf(path);
    // HEAD is GET without the body (RFC 9110 §9.3.2): it conforms to the GET operation.
    const operationMethod = method === 'HEAD' ? 'get' : method.toLowerCase();
    const operation = template ? doc.paths[template]?.[operationMethod] : undefined;
    let schema: unknown;
    let key: string;
    if (!operation) {
      if (status < 400) throw new Error(`${where}: no operation in the document`);
      schema = errorSchema;
      key = 'Error';
    } else {
      const response = operation.responses[String(status)] ?? operation.responses.default;
      if (!response) throw new Error(`${where}: status not documented`);
      if (method === 'HEAD') {
        if (body !== '') throw new Error(`${where}: HEAD with a body`);
        return;
      }
      const content = response.content?.[mediaType];
      if (!content) throw new Error(`${where}: media type ${mediaType} not documented`);
      schema = content.schema;
      key = `${template} ${method} ${status} ${mediaType}`;
    }
    if (mediaType === 'text/csv') {
      if (typeof body !== 'string') throw new Error(`${where}: CSV body is not text`);
      return;
    }
    if (mediaType !== 'application/json') throw new Error(`${where}: unexpected media type ${mediaType}`);
    const validate = validatorFor(key, schema);
    if (!validate(body))
      throw new Error(`${where} does not conform to the document: ${ajv.errorsText(validate.errors)}`);
  }

  return { templateOf, check };
}
