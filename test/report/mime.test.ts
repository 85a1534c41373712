import { describe, expect, it } from 'vitest';
import { composeMime } from '../../functions/report/mime.js';

/** A 1×1 PNG: enough for an inline part. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

/** The raw header value, unfolded (RFC 5322 §2.2.3). */
function header(message: string, name: string): string | undefined {
  const head = message.slice(0, message.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
  const line = head.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

/** RFC 2047 encoded words (Q or B, UTF-8); bytes of adjacent words are joined before decoding. */
function decodeWords(value: string): string {
  const bytes: number[] = [];
  let out = '';
  const flush = () => {
    out += Buffer.from(bytes).toString('utf8');
    bytes.length = 0;
  };
  const re = /=\?utf-8\?([qb])\?([^?]*)\?=|(\s+)|([^\s=]+|=)/gi;
  for (const [, enc, data, space, plain] of value.matchAll(re)) {
    if (enc && data !== undefined) {
      if (enc.toLowerCase() === 'b') bytes.push(...Buffer.from(data, 'base64'));
      else {
        const q = data.replace(/_/g, ' ');
        for (let i = 0; i < q.length; i++) {
          if (q[i] === '=') {
            bytes.push(Number.parseInt(q.slice(i + 1, i + 3), 16));
            i += 2;
          } else bytes.push(q.charCodeAt(i));
        }
      }
    } else if (space !== undefined) {
      // Whitespace between two encoded words is not part of the text.
      if (bytes.length === 0) out += space;
    } else {
      flush();
      out += plain;
    }
  }
  flush();
  return out;
}

describe('composeMime', () => {
  const subject = '[demo] 2026-11-22: 3 KPI exceptions — Average handle time 412 s vs 180–330 s';

  it('builds text and HTML alternatives with the charts inline beside the HTML', async () => {
    const raw = await composeMime({
      from: 'kpi-reports@example.com',
      to: 'ops-director@example.com',
      subject,
      html: '<p>See the chart</p><img src="cid:trend-0@kpi.local" alt="trend">',
      text: 'See the chart',
      images: [{ cid: 'trend-0@kpi.local', filename: 'trend-service_level-center-0.png', content: PNG }],
      headers: { 'X-Kpi-Digest': 'demo/2026-11-22/1' },
    });
    const message = raw.toString('utf8');

    expect(header(message, 'Content-Type')).toMatch(/^multipart\/alternative; boundary=/);
    expect(message).toMatch(/Content-Type: text\/plain; charset=utf-8/i);
    expect(message).toMatch(/Content-Type: multipart\/related; type="text\/html";\s+boundary=/);
    expect(message).toMatch(/Content-Type: text\/html; charset=utf-8/i);
    expect(message).toContain('Content-Type: image/png; name=trend-service_level-center-0.png');
    expect(message).toContain('Content-ID: <trend-0@kpi.local>');
    expect(message).toContain('Content-Disposition: inline; filename=trend-service_level-center-0.png');
    expect(message.replace(/\r\n/g, '')).toContain(PNG.toString('base64'));
    // The related part (HTML + image) comes after the plain text: clients show the last alternative they can.
    expect(message.indexOf('text/plain')).toBeLessThan(message.indexOf('multipart/related'));

    expect(header(message, 'To')).toBe('ops-director@example.com');
    expect(header(message, 'X-Kpi-Digest')).toBe('demo/2026-11-22/1');
    const encoded = header(message, 'Subject') ?? '';
    expect(encoded).toMatch(/^=\?UTF-8\?[QB]\?/i);
    expect(/^[\x20-\x7e]*$/.test(encoded)).toBe(true);
    expect(decodeWords(encoded)).toBe(subject);
  });

  it('refuses content that points at a local file', async () => {
    await expect(
      composeMime({
        from: 'a@example.com',
        to: 'b@example.com',
        subject: 's',
        html: '<p>x</p>',
        text: 'x',
        images: [{ cid: 'c', filename: 'c.png', content: { path: '/etc/passwd' } as unknown as Buffer }],
      }),
    ).rejects.toThrow(/File access rejected/);
  });
});
