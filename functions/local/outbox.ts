/**
 * Messages the SES emulator accepted, read from its `GET /store` endpoint (what its web viewer
 * shows). The emulator keeps them in memory only, and parses raw MIME on receipt: the raw
 * message itself is not kept (the `.eml` outbox under the data directory is the durable record).
 */

export interface SentEmail {
  readonly messageId: string;
  readonly from: string;
  readonly replyTo: readonly string[];
  readonly destination: {
    readonly to: readonly string[];
    readonly cc: readonly string[];
    readonly bcc: readonly string[];
  };
  /** Decoded subject. */
  readonly subject: string;
  readonly body: { readonly text?: string; readonly html?: string };
  readonly attachments: readonly {
    readonly filename?: string;
    readonly contentType: string;
    readonly size: number;
    /** Base64. */
    readonly content: string;
  }[];
  /** Acceptance time, epoch seconds. */
  readonly at: number;
}

/** Messages accepted by the SES emulator at `sesEndpoint`, oldest first; `since` is inclusive, to the second. */
export async function listSentEmails(sesEndpoint: string, since?: Date): Promise<SentEmail[]> {
  const url = new URL('/store', sesEndpoint);
  if (since) url.searchParams.set('since', String(Math.floor(since.getTime() / 1000)));
  const response = await fetch(url);
  if (!response.ok) throw new Error(`SES emulator store answered ${response.status}`);
  const { emails } = (await response.json()) as { emails: SentEmail[] };
  return emails;
}
