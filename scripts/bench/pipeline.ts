/**
 * The parent's side of scripts/bench/pipeline-server.ts: forks the local pipeline into a process
 * of its own and talks to it — objects go in through its S3 endpoint (PutObject, as a telephony
 * export would), reads go through its HTTP API, `idle` and `usage` through the IPC channel.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

export interface Usage {
  rssMb: number;
  peakRssMb: number;
  cpuSeconds: number;
}

export type ToPipeline = { type: 'idle' | 'usage' | 'stop'; id: number };
export type FromPipeline =
  | { type: 'ready'; apiUrl: string; s3: string }
  | { type: 'idle'; id: number }
  | { type: 'usage'; id: number; usage: Usage };

export interface PipelineProcess {
  readonly apiUrl: string;
  /** PutObject into the exports bucket; resolves when the call completes. */
  put(key: string, body: string | Uint8Array): Promise<void>;
  /** GET a path of the API; the body as text and its size in bytes. */
  get(path: string): Promise<{ status: number; text: string; bytes: number }>;
  /** Once every object put so far is ingested and every changed day rolled up. */
  idle(): Promise<void>;
  /** The pipeline process's RSS, peak RSS and CPU seconds so far. */
  usage(): Promise<Usage>;
  /** Stops the pipeline; its usage at that point. */
  stop(): Promise<Usage>;
}

const SERVER = fileURLToPath(new URL('./pipeline-server.ts', import.meta.url));

export async function forkPipeline(dataDir: string, rollupQuietMs: number): Promise<PipelineProcess> {
  // The SDK's notice about its future minimum Node is noise here (as in `npm start`).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const child: ChildProcess = fork(SERVER, [dataDir, String(rollupQuietMs)], {
    execArgv: process.execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map<number, (m: FromPipeline) => void>();
  let failed: Error | undefined;
  const ready = new Promise<{ apiUrl: string; s3: string }>((resolve, reject) => {
    child.on('message', (m: FromPipeline) => {
      if (m.type === 'ready') resolve(m);
      else waiting.get(m.id)?.(m);
    });
    child.on('exit', (code) => {
      failed = new Error(`the pipeline process exited (${code})`);
      reject(failed);
    });
  });
  const { apiUrl, s3: endpoint } = await ready;
  let nextId = 0;
  const ask = (type: ToPipeline['type']) =>
    new Promise<FromPipeline>((resolve, reject) => {
      if (failed) return reject(failed);
      const id = ++nextId;
      waiting.set(id, (m) => {
        waiting.delete(id);
        resolve(m);
      });
      child.send({ type, id } satisfies ToPipeline);
    });
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  return {
    apiUrl,
    async put(key, body) {
      await s3.send(new PutObjectCommand({ Bucket: 'exports', Key: key, Body: body }));
    },
    async get(path) {
      const r = await fetch(`${apiUrl}${path}`);
      const buf = Buffer.from(await r.arrayBuffer());
      return { status: r.status, text: buf.toString('utf8'), bytes: buf.length };
    },
    async idle() {
      await ask('idle');
    },
    async usage() {
      return ((await ask('usage')) as Extract<FromPipeline, { type: 'usage' }>).usage;
    },
    async stop() {
      s3.destroy();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const u = ((await ask('stop')) as Extract<FromPipeline, { type: 'usage' }>).usage;
      await exited;
      return u;
    },
  };
}

/** Nearest-rank percentile of ascending `sorted`. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
