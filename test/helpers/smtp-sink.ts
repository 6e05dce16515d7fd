// A real SMTP server in-process (smtp-server) that keeps every message, parsed with mailparser.
import type { AddressInfo } from 'node:net'
import { simpleParser, type ParsedMail } from 'mailparser'
import { SMTPServer } from 'smtp-server'

export interface Arrival {
  accepted: boolean
  rcpt: string[]
  mail: ParsedMail
}

export interface SmtpSink {
  url: string
  arrivals: Arrival[]
  /** the next DATA is answered with this code and text instead of 250 */
  refuseNext(code: number, text: string): void
  /** calls `hook` at the next MAIL FROM; the command waits until `answer` is called */
  onNextMailFrom(hook: (answer: (err?: Error) => void) => void): void
  close(): Promise<void>
}

export async function smtpSink(): Promise<SmtpSink> {
  const arrivals: Arrival[] = []
  let refusal: { code: number; text: string } | null = null
  let mailFromHook: ((answer: (err?: Error) => void) => void) | null = null
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onMailFrom(_address, _session, callback) {
      const hook = mailFromHook
      mailFromHook = null
      if (hook) hook(callback)
      else callback()
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        void simpleParser(Buffer.concat(chunks)).then((mail) => {
          const refuse = refusal
          refusal = null
          const rcpt = session.envelope.rcptTo.map((r) => r.address)
          arrivals.push({ accepted: refuse === null, rcpt, mail })
          if (!refuse) return callback()
          callback(Object.assign(new Error(refuse.text), { responseCode: refuse.code }))
        })
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    arrivals,
    refuseNext: (code, text) => void (refusal = { code, text }),
    onNextMailFrom: (hook) => void (mailFromHook = hook),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** A header as the raw line clients read (mailparser folds List-* headers into objects). */
export const rawHeader = (mail: ParsedMail, name: string) =>
  mail.headerLines
    .find((h) => h.key === name)
    ?.line.replace(/^[^:]+:\s*/, '')
    .replace(/\s+/g, ' ')
