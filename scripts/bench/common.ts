/** Helpers shared by the benchmark parts (scripts/bench.ts). */
import { fork } from 'node:child_process';
import { cpus } from 'node:os';

/** Best and first wall-clock time (seconds) of `runs` calls, and the last value. */
export async function timeIt<T>(
  fn: () => Promise<T> | T,
  runs = 3,
): Promise<{ best: number; first: number; value: T }> {
  let best = Number.POSITIVE_INFINITY;
  let first = 0;
  let value: T | undefined;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    value = await fn();
    const seconds = (performance.now() - t) / 1000;
    if (i === 0) first = seconds;
    best = Math.min(best, seconds);
  }
  return { best, first, value: value as T };
}

/** Peak resident set size of this process so far, in MB. */
export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** One line describing the machine the figures come from. */
export function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `Node ${process.version}, ${cpus().length} CPUs (${cpu.trim()})`;
}

/**
 * Run a module of this directory in a fresh Node process (same loader as this one, so tsx
 * works) and return the JSON it sends back. A fresh process per measurement keeps each peak
 * RSS its own: maxRSS never goes down within a process.
 */
export function runChild<T>(modulePath: string, args: string[], execArgv: string[] = []): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = fork(modulePath, args, {
      execArgv: [...process.execArgv, ...execArgv],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let result: T | undefined;
    child.on('message', (m) => {
      result = m as T;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0 && result !== undefined) resolve(result);
      else reject(new Error(`${modulePath} ${args.join(' ')} exited with ${code}`));
    });
  });
}

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
