/** Rows → CSV (RFC 4180) for spreadsheet users (`Accept: text/csv` or `format=csv`). */
export function toCsv(columns: string[], rows: Array<Record<string, unknown>>): string {
  const esc = (v: unknown): string => {
    if (v === null || v === undefined) return '';
    const s = Array.isArray(v) ? v.join(' ') : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [columns.join(',')];
  for (const r of rows) lines.push(columns.map((c) => esc(r[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
