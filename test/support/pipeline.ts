/** Starts the whole local pipeline on random ports in a temporary directory, for end-to-end tests. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  type LocalPipeline,
  type LocalPipelineOptions,
  startLocalPipeline,
} from '../../functions/local/local-pipeline.js';

export interface TestPipeline extends LocalPipeline {
  put(key: string, body: string | Uint8Array): Promise<void>;
  get<T = unknown>(path: string): Promise<{ status: number; body: T; text: string; headers: Headers }>;
  cleanup(): Promise<void>;
}

/** Evaluation runs only when a test calls `evaluate()`, unless `evaluateIntervalMs` is given. */
export async function startTestPipeline(options: Partial<LocalPipelineOptions> = {}): Promise<TestPipeline> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const dataDir = await mkdtemp(join(tmpdir(), 'kpi-e2e-'));
  const pipeline = await startLocalPipeline({
    dataDir,
    persist: false,
    s3Port: 0,
    dynamodbPort: 0,
    sesPort: 0,
    apiPort: 0,
    rollupQuietMs: 50,
    evaluateIntervalMs: 0,
    ...options,
  });
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: pipeline.stack.endpoints.s3,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  return {
    ...pipeline,
    async put(key, body) {
      await s3.send(new PutObjectCommand({ Bucket: 'exports', Key: key, Body: body }));
    },
    async get(path) {
      const r = await fetch(`${pipeline.apiUrl}${path}`);
      const text = await r.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // CSV or plain text
      }
      return { status: r.status, body: body as never, text, headers: r.headers };
    },
    async cleanup() {
      s3.destroy();
      await pipeline.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
