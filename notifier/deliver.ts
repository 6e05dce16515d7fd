// Sends a rendered email over SMTP, or writes it as an .eml file when no SMTP is configured.
import { mkdir, rename, writeFile } from 'node:fs/promises'
import path from 'node:path'
import nodemailer from 'nodemailer'
import { BadInputError, ServiceUnavailableError } from '../core/errors.ts'
import type { SendOutcome } from '../core/types.ts'

/** What is sent: the outbox row as it was written, never a fresh rendering. */
export interface OutgoingEmail {
  key: string
  to: string[]
  subject: string
  text: string
  html: string
  /** the one-click unsubscribe link (RFC 8058) the body also shows */
  unsubscribeUrl?: string | null | undefined
}

export interface DkimOptions {
  domainName: string
  keySelector: string
  privateKey: string
}

export interface DeliveryOptions {
  smtpUrl?: string | undefined
  outboxDir: string
  from: string
  dkim?: DkimOptions | undefined
}

/** The same key gives the same Message-ID, so a resend after a crash is recognisable as one mail. */
export function messageIdFor(key: string, from: string): string {
  const fromDomain = from.split('@').pop() || 'skimwatch.invalid'
  return `<${key.slice(0, 32)}@${fromDomain}>`
}

function mailOptions(email: OutgoingEmail, from: string) {
  const unsubscribe = [`<mailto:${from}?subject=unsubscribe%20${email.key.slice(0, 32)}>`]
  if (email.unsubscribeUrl) unsubscribe.push(`<${email.unsubscribeUrl}>`)
  return {
    from,
    to: email.to,
    subject: email.subject,
    text: email.text,
    html: email.html,
    messageId: messageIdFor(email.key, from),
    headers: {
      // RFC 2919: names the one-way list the unsubscribe headers belong to
      'List-Id': `skimwatch notices <notices.${from.split('@').pop() || 'skimwatch.invalid'}>`,
      'List-Unsubscribe': unsubscribe.join(', '),
      // one-click (RFC 8058) needs an https link the web app answers with a POST
      ...(email.unsubscribeUrl ? { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } : {}),
      // stops auto-responders answering, humans can still reply
      'Auto-Submitted': 'auto-generated',
    },
  }
}

/** `security@shop.example` → `shop.example`, safe as a file name. */
function safeDomain(email: OutgoingEmail): string {
  const domain = (email.to[0] ?? '').split('@').pop() ?? ''
  return (
    domain
      .toLowerCase()
      .replace(/[^a-z0-9.-]/g, '_')
      .replace(/^\.+/, '') || 'unknown'
  )
}

export async function deliver(
  email: OutgoingEmail,
  opts: DeliveryOptions,
): Promise<{ path: string | null; messageId: string }> {
  if (email.to.length === 0) {
    throw new BadInputError(
      `no contact address for this shop (email ${email.key.slice(0, 12)}): add one by hand`,
    )
  }
  return opts.smtpUrl ? sendSmtp(email, opts) : writeEml(email, opts)
}

async function sendSmtp(email: OutgoingEmail, opts: DeliveryOptions) {
  const smtpUrl = opts.smtpUrl ?? ''
  // the outbox row stays locked while this runs: a stalled server must not hold it for long
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
    ...(opts.dkim ? { dkim: opts.dkim } : {}),
  })
  try {
    const info = await transport.sendMail(mailOptions(email, opts.from))
    return { path: null, messageId: info.messageId }
  } catch (err) {
    const code = (err as { code?: string }).code
    if (code === 'ECONNECTION' || code === 'ETIMEDOUT' || code === 'ESOCKET') {
      const host = new URL(smtpUrl).host
      throw new ServiceUnavailableError(
        `cannot reach the SMTP server at ${host} — start it or unset SMTP_URL to write .eml files instead`,
        { cause: err },
      )
    }
    throw err
  } finally {
    transport.close()
  }
}

async function writeEml(email: OutgoingEmail, opts: DeliveryOptions) {
  const transport = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    newline: 'unix',
    ...(opts.dkim ? { dkim: opts.dkim } : {}),
  })
  const info = await transport.sendMail(mailOptions(email, opts.from))
  await mkdir(opts.outboxDir, { recursive: true })
  const file = path.join(opts.outboxDir, `${safeDomain(email)}-${email.key.slice(0, 12)}.eml`)
  // write then rename, so a reader never sees half a message
  const tmp = `${file}.${process.pid}.tmp`
  await writeFile(tmp, info.message as Buffer)
  await rename(tmp, file)
  return { path: file, messageId: info.messageId }
}

/** One attempt: a 4xx answer or an unreachable server is tried again later, a 5xx is a bounce. */
export async function attemptDelivery(
  email: OutgoingEmail,
  opts: DeliveryOptions,
): Promise<SendOutcome> {
  try {
    const sent = await deliver(email, opts)
    return { kind: 'sent', messageId: sent.messageId, path: sent.path }
  } catch (err) {
    if (err instanceof ServiceUnavailableError) return { kind: 'retry', error: err.message }
    const e = err as { responseCode?: number; response?: string; message?: string }
    const answer = e.response ?? e.message ?? String(err)
    if (typeof e.responseCode === 'number' && e.responseCode >= 400) {
      return { kind: e.responseCode < 500 ? 'retry' : 'bounced', error: answer }
    }
    throw err
  }
}
