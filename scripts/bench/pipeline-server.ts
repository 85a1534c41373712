/**
 * The local pipeline (`startLocalPipeline`: S3, DynamoDB and SES emulators, the real ingest and
 * rollup handlers, the read API) in a process of its own, for the api and freshness parts of
 * `npm run bench`: the client that measures runs in the parent (scripts/bench/pipeline.ts), so
 * this process's peak RSS and CPU are the pipeline's alone. Random ports, in-memory tables.
 *
 * Usage (child only): pipeline-server.ts <dataDir> <rollupQuietMs>
 * Messages: sends `ready` (endpoints); answers `idle` (once every object so far is ingested and
 * rolled up) and `usage` (RSS, peak RSS, CPU seconds so far); on `stop`, answers `usage` and exits.
 */
import type { FromPipeline, ToPipeline, Usage } from './pipeline.js';

// As `npm start`: no SDK notice, handlers log warnings and errors only. Set before the handlers load.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
const { startLocalPipeline } = await import('../../functions/local/local-pipeline.js');

const [dataDir, quietMs] = process.argv.slice(2);
if (!dataDir || quietMs === undefined || !process.send)
  throw new Error('usage (as a child process): pipeline-server.ts <dataDir> <rollupQuietMs>');

const pipeline = await startLocalPipeline({
  dataDir,
  persist: false,
  s3Port: 0,
  dynamodbPort: 0,
  sesPort: 0,
  apiPort: 0,
  rollupQuietMs: Number(quietMs),
  evaluateIntervalMs: 0,
  log: (line) => console.error(`  pipeline: ${line}`),
});

function usage(): Usage {
  const cpu = process.cpuUsage();
  return {
    rssMb: process.memoryUsage.rss() / 2 ** 20,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

const send = (m: FromPipeline) => process.send?.(m);

process.on('message', async (m: ToPipeline) => {
  if (m.type === 'idle') {
    await pipeline.idle();
    send({ type: 'idle', id: m.id });
  } else if (m.type === 'usage') {
    send({ type: 'usage', id: m.id, usage: usage() });
  } else if (m.type === 'stop') {
    const u = usage();
    await pipeline.stop();
    process.send?.({ type: 'usage', id: m.id, usage: u } satisfies FromPipeline, undefined, {}, () =>
      process.exit(0),
    );
  }
});

// The parent gone (a crash, Ctrl-C): nothing left to serve.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready', apiUrl: pipeline.apiUrl, s3: pipeline.stack.endpoints.s3 });
