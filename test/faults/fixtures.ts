/** Small export files in the three CDR formats for the fault suite (centre time zone: UTC). */

export const CSV_HEADER =
  'contact_id,direction,queue,agent_id,caller,initiated_at,queue_seconds,talk_seconds,hold_seconds,acw_seconds,outcome,last_updated_at';

export interface Call {
  id: string;
  queue: string;
  agent: string;
  caller: string;
  /** ISO instant (UTC) the call arrived. */
  at: string;
  wait: number;
  talk: number;
  hold?: number;
  acw?: number;
  /** ISO instant; default: `at` plus the call's durations. */
  updated?: string;
}

const plus = (iso: string, seconds: number) => new Date(Date.parse(iso) + seconds * 1000).toISOString();
const ended = (c: Call) => c.updated ?? plus(c.at, c.wait + c.talk + (c.hold ?? 0) + (c.acw ?? 0));

/** Canonical CSV; an answered call has an agent, an abandoned one (agent '') has no talk time. */
export function canonicalCsv(calls: Call[], extraRows: string[] = []): string {
  const rows = calls.map((c) =>
    [
      c.id,
      'inbound',
      c.queue,
      c.agent,
      c.caller,
      c.at,
      c.wait,
      c.talk,
      c.hold ?? 0,
      c.acw ?? 0,
      c.agent ? 'answered' : 'abandoned',
      ended(c),
    ].join(','),
  );
  return `${[CSV_HEADER, ...rows, ...extraRows].join('\n')}\n`;
}

/** Amazon Connect contact records, one JSON object per line. */
export function connectNdjson(calls: Call[]): string {
  return `${calls
    .map((c) =>
      JSON.stringify({
        ContactId: c.id,
        InitiationMethod: 'INBOUND',
        Channel: 'VOICE',
        InitiationTimestamp: c.at,
        LastUpdateTimestamp: ended(c),
        CustomerEndpoint: { Address: c.caller, Type: 'TELEPHONE_NUMBER' },
        Queue: {
          Name: c.queue,
          Duration: c.wait,
          EnqueueTimestamp: c.at,
          DequeueTimestamp: plus(c.at, c.wait),
        },
        Agent: c.agent
          ? {
              Username: c.agent,
              ConnectedToAgentTimestamp: plus(c.at, c.wait),
              AgentInteractionDuration: c.talk,
              CustomerHoldDuration: c.hold ?? 0,
              AfterContactWorkDuration: c.acw ?? 0,
            }
          : null,
      }),
    )
    .join('\n')}\n`;
}

/** Asterisk queue_log lines (no hold or wrap-up: talk is the whole conversation). */
export function queueLog(calls: Call[]): string {
  const lines: Array<[number, string]> = [];
  for (const c of calls) {
    const s = Math.floor(Date.parse(c.at) / 1000);
    lines.push([s, `${s}|${c.id}|${c.queue}|NONE|ENTERQUEUE||${c.caller}|1`]);
    if (c.agent) {
      lines.push([s + c.wait, `${s + c.wait}|${c.id}|${c.queue}|${c.agent}|CONNECT|${c.wait}|${c.id}.1|2`]);
      lines.push([
        s + c.wait + c.talk,
        `${s + c.wait + c.talk}|${c.id}|${c.queue}|${c.agent}|COMPLETECALLER|${c.wait}|${c.talk}|1`,
      ]);
    } else lines.push([s + c.wait, `${s + c.wait}|${c.id}|${c.queue}|NONE|ABANDON|1|1|${c.wait}`]);
  }
  lines.sort((a, b) => a[0] - b[0]);
  return `${lines.map((l) => l[1]).join('\n')}\n`;
}

/** `n` calls on `date` from 09:00 UTC, one every 7 minutes, every fourth abandoned, callers repeating. */
export function callsOn(date: string, n: number, prefix: string, opts: { queue?: string } = {}): Call[] {
  return Array.from({ length: n }, (_, i) => {
    const abandoned = i % 4 === 3;
    return {
      id: `${prefix}-${date}-${i}`,
      queue: opts.queue ?? (i % 3 === 0 ? 'billing' : 'sales'),
      agent: abandoned ? '' : `A${i % 3}`,
      caller: `+86138${String(1000_0000 + ((i * 7) % 5)).padStart(8, '0')}`,
      at: plus(`${date}T09:00:00.000Z`, i * 420),
      wait: 5 + ((i * 13) % 40),
      talk: abandoned ? 0 : 60 + ((i * 37) % 200),
      hold: abandoned ? 0 : (i * 11) % 30,
      acw: abandoned ? 0 : 20 + ((i * 17) % 50),
    };
  });
}
