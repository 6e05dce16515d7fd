// Sends a rendered email over SMTP, or writes it as an .eml file when no SMTP is configured.
import { mkdir, rename, writeFile } from 'node:fs/promises'
import path from 'node:path'
import nodemailer from 'nodemailer'
import { BadInputError, ServiceUnavailableError } from '../core/errors.ts'
import type { RenderedEmail } from './render.ts'
import { unsubscribeUrl } from './render.ts'

export interface DeliveryOptions {
  smtpUrl?: string | undefined
  outboxDir: string
  from: string
}

function mailOptions(email: RenderedEmail, from: string) {
  const fromDomain = from.split('@').pop() || 'skimwatch.invalid'
  return {
    from,
    to: email.to,
    subject: email.subject,
    text: email.text,
    html: email.html,
    // the same key gives the same Message-ID, so a resend after a crash is recognisable as one mail
    messageId: `<${email.key.slice(0, 32)}@${fromDomain}>`,
    headers: {
      'List-Unsubscribe': `<mailto:${from}?subject=unsubscribe%20${email.key}>, <${unsubscribeUrl(email.key)}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      // stops auto-responders answering, humans can still reply
      'Auto-Submitted': 'auto-generated',
    },
  }
}

/** `security@shop.example` → `shop.example`, safe as a file name. */
function safeDomain(email: RenderedEmail): string {
  const domain = (email.to[0] ?? '').split('@').pop() ?? ''
  return (
    domain
      .toLowerCase()
      .replace(/[^a-z0-9.-]/g, '_')
      .replace(/^\.+/, '') || 'unknown'
  )
}

export async function deliver(
  email: RenderedEmail,
  opts: DeliveryOptions,
): Promise<{ path: string | null; messageId: string }> {
  if (email.to.length === 0) {
    throw new BadInputError(
      `no contact address for this shop (email ${email.key.slice(0, 12)}): add one by hand`,
    )
  }
  return opts.smtpUrl ? sendSmtp(email, opts.smtpUrl, opts.from) : writeEml(email, opts)
}

async function sendSmtp(email: RenderedEmail, smtpUrl: string, from: string) {
  const transport = nodemailer.createTransport(smtpUrl)
  try {
    const info = await transport.sendMail(mailOptions(email, from))
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

async function writeEml(email: RenderedEmail, opts: DeliveryOptions) {
  const transport = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    newline: 'unix',
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
