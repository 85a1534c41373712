// The parts of the untyped emulator packages that the local stack uses.

declare module 'dynalite' {
  import type { Server } from 'node:http';

  interface DynaliteOptions {
    /** LevelDB directory; in memory when absent. */
    path?: string;
    /** How long a new table stays CREATING (default 500 ms). */
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
  }

  function dynalite(options?: DynaliteOptions): Server;
  export = dynalite;
}

declare module 's3rver' {
  import type { EventEmitter } from 'node:events';
  import type { RequestListener } from 'node:http';

  interface S3rverOptions {
    directory: string;
    silent?: boolean;
  }

  /** One record of the notification s3rver emits in-process; the key is NOT URL-encoded. */
  interface S3rverEventRecord {
    eventName: string;
    s3: {
      bucket: { name: string };
      object: { key: string; size?: number; eTag?: string; sequencer: string };
    };
  }

  class S3rver extends EventEmitter {
    constructor(options: S3rverOptions);
    /** The request handler, for a server of one's own. */
    callback(): RequestListener;
    on(event: 'event', listener: (event: { Records: S3rverEventRecord[] }) => void): this;
    readonly store: {
      /** Stored metadata; `etag` is JSON-quoted. */
      getMetadata(bucket: string, key: string): Promise<Record<string, string>>;
    };
  }
  export = S3rver;
}
