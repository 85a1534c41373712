/**
 * The digest as a raw MIME message for SES `SendEmail` (Content.Raw) and the local outbox:
 * multipart/alternative (text, then HTML) with the charts as inline images in a
 * multipart/related part beside the HTML, referenced by `cid:`.
 */
import MailComposer from 'nodemailer/lib/mail-composer';

export interface MimeImage {
  cid: string;
  filename: string;
  content: Buffer;
}

export interface MimeInput {
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  images: MimeImage[];
  /** Extra headers, e.g. an idempotency reference for the send ledger. */
  headers?: Record<string, string>;
}

export async function composeMime(input: MimeInput): Promise<Buffer> {
  const composer = new MailComposer({
    from: input.from,
    to: input.to,
    subject: input.subject,
    text: input.text,
    html: input.html,
    attachments: input.images.map((img) => ({
      cid: img.cid,
      filename: img.filename,
      content: img.content,
      contentType: 'image/png',
      contentDisposition: 'inline',
    })),
    headers: input.headers,
    // Local file and URL access would let message content read the disk or the network.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return composer.compile().build();
}
