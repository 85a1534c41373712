/**
 * Sends digests through SES v2 with raw MIME (the HTML, text and inline chart parts are built
 * by functions/report/mime.ts). In local mode the same call reaches the SES v2 emulator, and
 * OutboxMailer also keeps each message as an .eml file.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { Mailer, OutgoingEmail } from '../app/ports.js';

export class SesMailer implements Mailer {
  private readonly ses = new SESv2Client({});

  constructor(private readonly configurationSet: string | undefined) {}

  async send(email: OutgoingEmail): Promise<string> {
    const r = await this.ses.send(
      new SendEmailCommand({
        FromEmailAddress: email.from,
        Destination: { ToAddresses: [email.to] },
        Content: { Raw: { Data: email.raw } },
        ConfigurationSetName: this.configurationSet,
      }),
    );
    if (!r.MessageId) throw new Error('SES accepted the message without a message id');
    return r.MessageId;
  }
}

/** Also writes every message sent through `inner` to `{dir}/{email.name}.eml`. */
export class OutboxMailer implements Mailer {
  constructor(
    private readonly inner: Mailer,
    private readonly dir: string,
  ) {}

  async send(email: OutgoingEmail): Promise<string> {
    const id = await this.inner.send(email);
    await mkdir(this.dir, { recursive: true });
    await writeFile(join(this.dir, `${email.name.replace(/[^A-Za-z0-9@._-]/g, '_')}.eml`), email.raw);
    return id;
  }
}
