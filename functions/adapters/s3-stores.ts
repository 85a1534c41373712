/** S3 adapters: the exports bucket as an ExportSource and the curated bucket as a CuratedStore. */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { CuratedObjectRef, CuratedStore, ExportObject, ExportSource } from '../app/ports.js';
import type { CuratedGroup } from '../domain/ingest/ingest-object.js';
import type { RecordKind } from '../domain/records.js';

function unquote(etag: string | undefined): string {
  return (etag ?? '').replace(/"/g, '');
}

function isMissing(e: unknown): boolean {
  return (
    e instanceof NoSuchKey ||
    e instanceof NotFound ||
    (e as { name?: string })?.name === 'NoSuchKey' ||
    (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 404
  );
}

export class S3ExportSource implements ExportSource {
  constructor(private readonly s3: S3Client) {}

  async open(bucket: string, key: string): Promise<ExportObject | null> {
    try {
      const r = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const body = r.Body as Readable;
      return {
        key,
        versionId: r.VersionId && r.VersionId !== 'null' ? r.VersionId : undefined,
        etag: unquote(r.ETag),
        size: r.ContentLength ?? 0,
        body,
        discard: () => body.destroy(),
      };
    } catch (e) {
      if (isMissing(e)) return null;
      throw e;
    }
  }

  async identity(
    bucket: string,
    key: string,
  ): Promise<{ versionId: string | undefined; etag: string } | null> {
    try {
      const r = await this.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return {
        versionId: r.VersionId && r.VersionId !== 'null' ? r.VersionId : undefined,
        etag: unquote(r.ETag),
      };
    } catch (e) {
      if (isMissing(e)) return null;
      throw e;
    }
  }
}

/** Stable short id of a source key: curated objects are named after the key, so a new version overwrites them. */
export function sourceId(sourceKey: string): string {
  return createHash('sha256').update(sourceKey).digest('hex').slice(0, 32);
}

/**
 * Curated layout (Hive-style partitions so Athena/Glue can read it):
 * `{kind}/center={center}/date={YYYY-MM-DD}/{sourceId}.ndjson.gz`, the roster without a date,
 * quarantined rows under `quarantine/center={center}/`.
 */
export function curatedPrefix(center: string, kind: RecordKind, date: string | null): string {
  return date === null ? `${kind}/center=${center}/` : `${kind}/center=${center}/date=${date}/`;
}

export class S3CuratedStore implements CuratedStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async putGroup(
    center: string,
    source: { key: string; version: string },
    group: CuratedGroup,
  ): Promise<CuratedObjectRef> {
    const key = `${curatedPrefix(center, group.kind, group.date)}${sourceId(source.key)}.ndjson.gz`;
    await this.put(key, group.body, source);
    return { key, kind: group.kind, date: group.date };
  }

  quarantineKey(center: string, sourceKey: string): string {
    return `quarantine/center=${center}/${sourceId(sourceKey)}.ndjson.gz`;
  }

  async putQuarantine(
    center: string,
    source: { key: string; version: string },
    body: Buffer,
  ): Promise<string> {
    const key = this.quarantineKey(center, source.key);
    await this.put(key, body, source);
    return key;
  }

  private async put(key: string, body: Buffer, source: { key: string; version: string }): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: 'application/x-ndjson',
        ContentEncoding: 'gzip',
        // Metadata must be ASCII: the source key is URL-encoded.
        Metadata: {
          'source-key': encodeURIComponent(source.key),
          'source-version': encodeURIComponent(source.version),
        },
      }),
    );
  }

  async delete(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      if (batch.length === 0) continue;
      await this.s3.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
        }),
      );
    }
  }

  async list(center: string, kind: RecordKind, date: string | null): Promise<string[]> {
    const prefix = curatedPrefix(center, kind, date);
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const r = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const o of r.Contents ?? []) {
        // The roster prefix has no date level; skip anything deeper.
        if (o.Key?.endsWith('.ndjson.gz') && !o.Key.slice(prefix.length).includes('/')) keys.push(o.Key);
      }
      token = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }

  async scan<T>(
    key: string,
    visit: (record: T & { source_line: number }, sourceKey: string) => void,
  ): Promise<void> {
    const r = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    const sourceKey = decodeURIComponent(r.Metadata?.['source-key'] ?? '');
    let rest = '';
    const decoder = new StringDecoder('utf8');
    const gunzip = (r.Body as Readable).pipe(createGunzip());
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      const text = rest + decoder.write(chunk);
      const lines = text.split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) if (line) visit(JSON.parse(line), sourceKey);
    }
    rest += decoder.end();
    if (rest) visit(JSON.parse(rest), sourceKey);
  }
}
