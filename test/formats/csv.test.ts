import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCsvReader, type Delimiter } from '../../functions/domain/formats/csv.js';
import { RejectedFileError } from '../../functions/domain/formats/types.js';

interface Read {
  header: string[] | null;
  delimiter: Delimiter | null;
  rows: Array<{ line: number; fields: string[] }>;
}

/** Reads `text` fed in the given pieces (default: all at once). */
function read(text: string | string[]): Read {
  const out: Read = { header: null, delimiter: null, rows: [] };
  const reader = createCsvReader({
    onHeader(columns, delimiter) {
      out.header = columns;
      out.delimiter = delimiter;
    },
    onRow(fields, line) {
      out.rows.push({ line, fields });
    },
  });
  for (const piece of typeof text === 'string' ? [text] : text) reader.write(piece);
  reader.end();
  return out;
}

describe('createCsvReader', () => {
  it('reports the header and each row with its physical line number', () => {
    const result = read('a,b\n1,2\n3,4\n');
    expect(result.header).toEqual(['a', 'b']);
    expect(result.delimiter).toBe(',');
    expect(result.rows).toEqual([
      { line: 2, fields: ['1', '2'] },
      { line: 3, fields: ['3', '4'] },
    ]);
  });

  it('reads CRLF line endings without leaving a CR in the last field', () => {
    expect(read('a,b\r\n1,2\r\n3,4\r\n').rows).toEqual([
      { line: 2, fields: ['1', '2'] },
      { line: 3, fields: ['3', '4'] },
    ]);
  });

  it('strips a UTF-8 byte order mark before the first column name', () => {
    expect(read('\uFEFFcontact_id,direction\nc1,inbound\n').header).toEqual(['contact_id', 'direction']);
  });

  it('trims and lower-cases the column names', () => {
    expect(read(' Contact_ID ,\tDirection\n').header).toEqual(['contact_id', 'direction']);
  });

  it('detects a semicolon delimiter', () => {
    const result = read('a;b;c\n1,5;2;3\n');
    expect(result.delimiter).toBe(';');
    expect(result.rows[0]?.fields).toEqual(['1,5', '2', '3']);
  });

  it('detects a tab delimiter', () => {
    const result = read('a\tb\tc\n1\t2\t3 4\n');
    expect(result.delimiter).toBe('\t');
    expect(result.rows[0]?.fields).toEqual(['1', '2', '3 4']);
  });

  it('ignores delimiters inside quotes when detecting the delimiter', () => {
    expect(read('"a,b,c";d;e\n1;2;3\n').delimiter).toBe(';');
  });

  it('reads quoted fields with an embedded delimiter, newline and doubled quotes', () => {
    const result = read('a,b,c\n"x,y","line 1\nline 2","say ""hi"""\n4,5,6\n');
    expect(result.rows).toEqual([
      { line: 2, fields: ['x,y', 'line 1\nline 2', 'say "hi"'] },
      // The quoted newline makes the next row start on line 4.
      { line: 4, fields: ['4', '5', '6'] },
    ]);
  });

  it('keeps a CR inside quotes as data', () => {
    expect(read('a,b\r\n"1\r",2\r\n').rows[0]?.fields).toEqual(['1\r', '2']);
  });

  it('skips blank lines but keeps counting them', () => {
    const result = read('\na,b\n\n1,2\r\n   \r\n3,4\n\n');
    expect(result.header).toEqual(['a', 'b']);
    expect(result.rows).toEqual([
      { line: 4, fields: ['1', '2'] },
      { line: 6, fields: ['3', '4'] },
    ]);
  });

  it('pads short rows with empty fields and keeps the extra fields of long rows', () => {
    expect(read('a,b,c\n1\n1,2,3,4\n').rows).toEqual([
      { line: 2, fields: ['1', '', ''] },
      { line: 3, fields: ['1', '2', '3', '4'] },
    ]);
  });

  it('delivers a last row that has no line break', () => {
    expect(read('a,b\n1,2').rows).toEqual([{ line: 2, fields: ['1', '2'] }]);
    expect(read('a,b\n1,').rows).toEqual([{ line: 2, fields: ['1', ''] }]);
    expect(read('a,b\n1,"2"').rows).toEqual([{ line: 2, fields: ['1', '2'] }]);
  });

  it('reads a header-only file as no rows', () => {
    const result = read('a,b\r\n');
    expect(result.header).toEqual(['a', 'b']);
    expect(result.rows).toEqual([]);
    expect(read('a,b').header).toEqual(['a', 'b']);
  });

  it('reads an empty text as no header and no rows', () => {
    expect(read(['', '']).header).toBeNull();
  });

  it('rejects a file whose last quoted field never closes, naming the line it starts on', () => {
    expect(() => read('a,b\n1,2\n3,"open\nmore\n')).toThrow(RejectedFileError);
    expect(() => read('a,b\n1,2\n3,"open\nmore\n')).toThrow(/line 3/);
  });

  it('yields the same rows and line numbers however the text is split', () => {
    const text = '\uFEFFa;b\r\n"x;\r\ny";"q""q"\r\n\r\n1;2\r\n';
    const whole = read(text);
    for (let i = 0; i <= text.length; i++) {
      for (let j = i; j <= text.length; j++) {
        expect(read([text.slice(0, i), text.slice(i, j), text.slice(j)])).toEqual(whole);
      }
    }
  });

  it('round-trips any RFC 4180 text, in any chunks, with the right line numbers (property)', () => {
    const fieldChars = fc.constantFrom('a', 'Z', '7', ' ', ',', ';', '\t', '"', '\n', '\r', 'é', '中');
    const field = fc.string({ unit: fieldChars, maxLength: 8 });
    const csvFile = fc
      .record({
        delimiter: fc.constantFrom<Delimiter>(',', ';', '\t'),
        eol: fc.constantFrom('\n', '\r\n'),
        bom: fc.boolean(),
        width: fc.integer({ min: 2, max: 4 }),
        finalEol: fc.boolean(),
      })
      .chain((shape) =>
        fc.record({
          shape: fc.constant(shape),
          rows: fc.array(fc.array(field, { minLength: shape.width, maxLength: shape.width }), {
            maxLength: 12,
          }),
          cuts: fc.array(fc.nat(), { maxLength: 10 }),
        }),
      );

    fc.assert(
      fc.property(csvFile, ({ shape, rows, cuts }) => {
        const { delimiter, eol } = shape;
        // Only what RFC 4180 requires is quoted, so the other delimiters also appear unquoted as data.
        const quote = (f: string) =>
          f.includes(delimiter) || /["\r\n]/.test(f) ? `"${f.replaceAll('"', '""')}"` : f;
        const header = Array.from({ length: shape.width }, (_, k) => `col${k}`);
        let text = `${shape.bom ? '\uFEFF' : ''}${header.join(delimiter)}`;
        const expected: Read['rows'] = [];
        rows.forEach((fields) => {
          text += eol;
          const before = text.replace('\uFEFF', '');
          expected.push({ line: before.split('\n').length, fields });
          text += fields.map(quote).join(delimiter);
        });
        if (shape.finalEol) text += eol;

        const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
        const pieces = [0, ...points].map((from, k) => text.slice(from, [...points, text.length][k]));
        const result = read(pieces);
        expect(result.header).toEqual(header);
        expect(result.delimiter).toBe(delimiter);
        expect(result.rows).toEqual(expected);
        expect(read(text)).toEqual(result);
      }),
      { numRuns: 500 },
    );
  });
});
