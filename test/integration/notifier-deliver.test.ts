// deliver(): .eml files without SMTP, and a real SMTP exchange with an in-process server.
import { generateKeyPairSync } from 'node:crypto'
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { simpleParser, type AddressObject } from 'mailparser'
import { SMTPServer } from 'smtp-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ServiceUnavailableError } from '../../core/errors.ts'
import { deliver, renderNotice, type Notice } from '../../notifier/index.ts'
import { rawHeader } from '../helpers/smtp-sink.ts'

const from = 'skimwatch@notify.example'
const notice: Notice = {
  domain: 'shop.example',
  siteUrl: 'https://shop.example/',
  pageUrl: 'https://shop.example/checkout',
  verdict: 'malicious',
  foundAt: '2026-11-23T10:00:00.000Z',
  platform: 'woocommerce',
  scripts: [
    {
      url: 'https://evil.example/<script>x</script>.js',
      sha256: 'a'.repeat(64),
      verdict: 'malicious',
      findings: [
        {
          rule: 'card-read-and-send',
          severity: 'critical',
          message: 'sends the card',
          line: 3,
          column: 1,
        },
      ],
    },
  ],
  exfil: [{ url: 'https://evil.example/c', host: 'evil.example', carriesCard: true }],
}
const unsubscribeUrl = 'https://skimwatch.example/unsubscribe/tok3n'
const email = { ...renderNotice(notice, { from, unsubscribeUrl }), unsubscribeUrl }

const header = rawHeader

const addresses = (a: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(a) ? a : a ? [a] : []).flatMap((x) => x.value.map((v) => v.address))

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sw-outbox-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('deliver without SMTP', () => {
  it('writes a parseable .eml with text, html and one-click unsubscribe', async () => {
    const outboxDir = path.join(dir, 'nested', 'outbox')
    const result = await deliver(email, { outboxDir, from })
    expect(result.path).toBe(path.join(outboxDir, `shop.example-${email.key.slice(0, 12)}.eml`))
    expect(await readdir(outboxDir)).toEqual([path.basename(result.path!)])

    const raw = await readFile(result.path!)
    expect(raw.includes('\r\n')).toBe(false)
    const mail = await simpleParser(raw)
    expect(mail.subject).toBe(email.subject)
    expect(mail.messageId).toBe(result.messageId)
    expect(addresses(mail.to)).toEqual(['security@shop.example', 'webmaster@shop.example'])
    expect(mail.text).toContain('WHAT TO DO (WordPress / WooCommerce)')
    expect(mail.html).toContain('&#60;script&#62;x&#60;/script&#62;')
    expect(mail.html).not.toContain('<script>')
    const unsubscribe = header(mail, 'list-unsubscribe') ?? ''
    expect(unsubscribe).toContain(`<${unsubscribeUrl}>`)
    expect(unsubscribe).toContain(`mailto:${from}`)
    expect(header(mail, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click')
  })

  it('signs with DKIM when a key is configured', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const dkim = {
      domainName: 'notify.example',
      keySelector: 'sw2026',
      privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    }
    const result = await deliver(email, { outboxDir: path.join(dir, 'dkim'), from, dkim })
    const mail = await simpleParser(await readFile(result.path!))
    const signature = header(mail, 'dkim-signature') ?? ''
    expect(signature).toContain('d=notify.example')
    expect(signature).toContain('s=sw2026')
    expect(signature).toMatch(/h=[^;]*List-Unsubscribe/i)
    expect(header(mail, 'auto-submitted')).toBe('auto-generated')
  })

  it('overwrites the same file when the same email is delivered again', async () => {
    const outboxDir = path.join(dir, 'again')
    const a = await deliver(email, { outboxDir, from })
    const b = await deliver(email, { outboxDir, from })
    expect(b).toEqual(a)
    expect(await readdir(outboxDir)).toHaveLength(1)
  })
})

describe('deliver over SMTP', () => {
  let server: SMTPServer
  let port: number
  const received: { rcpt: string[]; raw: Buffer }[] = []
  let onMessage: () => void = () => {}

  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = []
        stream.on('data', (c: Buffer) => chunks.push(c))
        stream.on('end', () => {
          received.push({
            rcpt: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks),
          })
          callback()
          onMessage()
        })
      },
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.server.address() as AddressInfo).port
  })
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })

  it('sends one message to the right recipients', async () => {
    const arrived = new Promise<void>((resolve) => (onMessage = resolve))
    const result = await deliver(email, {
      smtpUrl: `smtp://127.0.0.1:${port}`,
      outboxDir: dir,
      from,
    })
    await arrived
    expect(result.path).toBeNull()
    expect(received).toHaveLength(1)
    expect(received[0]!.rcpt).toEqual(['security@shop.example', 'webmaster@shop.example'])
    const mail = await simpleParser(received[0]!.raw)
    expect(mail.subject).toBe(email.subject)
    expect(mail.messageId).toBe(result.messageId)
    expect(mail.text).toContain('sends the card')
    expect(mail.html).toContain('<ol>')
    expect(header(mail, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click')
  })

  it('says how to fix an unreachable SMTP server', async () => {
    const closed = new SMTPServer({ authOptional: true, logger: false })
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const deadPort = (closed.server.address() as AddressInfo).port
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    const err = await deliver(email, {
      smtpUrl: `smtp://127.0.0.1:${deadPort}`,
      outboxDir: dir,
      from,
    }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ServiceUnavailableError)
    expect((err as Error).message).toContain('unset SMTP_URL')
  })
})
