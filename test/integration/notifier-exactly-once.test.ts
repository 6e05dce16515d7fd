// Exactly once: a worker killed between writing the outbox row and the SMTP send, or in the middle
// of the SMTP exchange, is restarted and the server receives one message; a 4xx answer is followed
// by one more attempt with the same Message-ID, and nothing after that.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { simpleParser } from 'mailparser'
import { SMTPServer, type SMTPServerSession } from 'smtp-server'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { PageCapture } from '../../core/types.ts'
import { notifyInfected, type Notice } from '../../notifier/index.ts'
import { openStore, type Store } from '../../store/index.ts'
import { ROOT } from '../helpers/cli.ts'
import { dropSchema, PG_URL, uniqueName } from '../helpers/services.ts'

interface Arrival {
  accepted: boolean
  messageId: string | undefined
  rcpt: string[]
}

const schema = uniqueName('sw_once')
let store: Store
let server: SMTPServer
let smtpUrl: string
const arrivals: Arrival[] = []
/** what the server answers to the next DATA: null accepts */
let nextDataError: { code: number; text: string } | null = null
/** called when a client sends MAIL FROM; the callback answers it */
let onMailFrom: ((answer: (err?: Error) => void) => void) | null = null

function capture(): PageCapture {
  return {
    url: 'http://crash.test/',
    finalUrl: 'http://crash.test/checkout',
    status: 'ok',
    reason: null,
    startedAt: '2026-11-23T10:00:00.000Z',
    durationMs: 1,
    visited: ['http://crash.test/'],
    filledCard: true,
    scripts: [],
    requests: [],
    cardReaders: [],
  }
}

async function newSite(domain: string): Promise<{ siteId: number; scanId: number }> {
  await store.addSites([{ domain, url: `http://${domain}/` }])
  const site = (await store.listSites()).find((s) => s.domain === domain)!
  return { siteId: site.id, scanId: await store.saveCapture(site.id, capture()) }
}

function worker(args: string[]): ChildProcess {
  return spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'test/helpers/notify-worker.ts'), schema, ...args],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  )
}

/** Resolves with the first stdout line of the child that starts with `prefix`. */
async function lineOf(child: ChildProcess, prefix: string): Promise<string> {
  for await (const line of createInterface({ input: child.stdout! })) {
    if (line.startsWith(prefix)) return line
  }
  throw new Error(`the worker ended without printing ${prefix}`)
}

async function runToEnd(child: ChildProcess): Promise<number | null> {
  const [code] = (await once(child, 'exit')) as [number | null]
  return code
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = once(child, 'exit')
  child.kill('SIGKILL')
  await exited
}

const accepted = (rcpt: string) => arrivals.filter((a) => a.accepted && a.rcpt.includes(rcpt))

beforeAll(async () => {
  store = await openStore({ databaseUrl: PG_URL, home: os.tmpdir(), schema })
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onMailFrom(_address, _session, callback) {
      const hook = onMailFrom
      onMailFrom = null
      if (hook) hook(callback)
      else callback()
    },
    onData(stream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        void simpleParser(Buffer.concat(chunks)).then((mail) => {
          const refuse = nextDataError
          nextDataError = null
          arrivals.push({
            accepted: refuse === null,
            messageId: mail.messageId,
            rcpt: session.envelope.rcptTo.map((r) => r.address),
          })
          if (!refuse) return callback()
          callback(Object.assign(new Error(refuse.text), { responseCode: refuse.code }))
        })
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  smtpUrl = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await store?.close()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  await dropSchema(schema)
})

beforeEach(() => {
  arrivals.length = 0
  nextDataError = null
  onMailFrom = null
})

describe('exactly once across a crash', () => {
  it('a worker killed after the outbox write sends nothing; its restart sends one message', async () => {
    const { siteId, scanId } = await newSite('crash-a.test')
    const args = [String(siteId), String(scanId), smtpUrl]
    const first = worker([...args, '--pause-after-queue'])
    const id = Number((await lineOf(first, 'QUEUED ')).split(' ')[1])
    await kill(first)
    expect((await store.getEmail(id))?.status).toBe('pending')
    expect(arrivals).toHaveLength(0)

    expect(await runToEnd(worker(args))).toBe(0)
    expect(accepted('owner@crash.test')).toHaveLength(1)
    const sent = await store.getEmail(id)
    expect(sent).toMatchObject({ status: 'sent', attempts: 1 })
    expect(arrivals[0]!.messageId).toBe(sent!.messageId)

    // a third run (a retried job) finds the row sent
    expect(await runToEnd(worker(args))).toBe(0)
    expect(arrivals).toHaveLength(1)
  })

  it('a worker killed in the middle of the SMTP exchange is replaced and one message arrives', async () => {
    const { siteId, scanId } = await newSite('crash-b.test')
    const args = [String(siteId), String(scanId), smtpUrl]
    const first = worker(args)
    let answerFirst: (err?: Error) => void = () => {}
    const reached = new Promise<void>((resolve) => {
      onMailFrom = (answer) => {
        answerFirst = answer
        resolve()
      }
    })
    await reached
    await kill(first)
    answerFirst(Object.assign(new Error('client gone'), { responseCode: 421 }))
    expect(arrivals).toHaveLength(0)

    expect(await runToEnd(worker(args))).toBe(0)
    expect(await runToEnd(worker(args))).toBe(0)
    expect(accepted('owner@crash.test')).toHaveLength(1)
    expect(arrivals).toHaveLength(1)
  })
})

describe('a temporary refusal', () => {
  it('is followed by one more attempt with the same Message-ID, and then nothing', async () => {
    const { siteId, scanId } = await newSite('later.test')
    const notice: Notice = {
      domain: 'later.test',
      siteUrl: 'http://later.test/',
      pageUrl: 'http://later.test/checkout',
      verdict: 'malicious',
      foundAt: '2026-11-23T10:00:00.000Z',
      scripts: [{ url: null, sha256: 'f'.repeat(64), verdict: 'malicious', findings: [] }],
      exfil: [],
    }
    const run = () =>
      notifyInfected(
        store,
        {
          siteId,
          scanId,
          notice,
          contacts: [
            {
              address: 'owner@later.test',
              source: 'site',
              detail: null,
              languages: [],
              skipped: null,
            },
          ],
        },
        {
          delivery: { smtpUrl, outboxDir: os.tmpdir(), from: 'skimwatch@notify.test' },
          publicUrl: 'https://skimwatch.test',
          policy: { rescanAfterDays: 7, maxReminders: 2 },
        },
      )
    nextDataError = { code: 451, text: '451 4.3.0 try again later' }
    const first = await run()
    expect(first.outcome).toMatchObject({ kind: 'retry' })
    expect(first.status).toBe('failed')
    const second = await run()
    expect(second.outcome).toMatchObject({ kind: 'sent' })
    const third = await run()
    expect(third.outcome).toBeNull()
    expect(third.status).toBe('sent')

    expect(arrivals.map((a) => a.accepted)).toEqual([false, true])
    expect(arrivals[0]!.messageId).toBeTruthy()
    expect(arrivals[1]!.messageId).toBe(arrivals[0]!.messageId)
    expect(await store.getEmail(first.emailId!)).toMatchObject({ status: 'sent', attempts: 2 })
  })

  it('a permanent refusal bounces: the address is suppressed and not written to again', async () => {
    const { siteId, scanId } = await newSite('gone.test')
    nextDataError = { code: 550, text: '550 5.1.1 no such user' }
    const settings = {
      delivery: { smtpUrl, outboxDir: os.tmpdir(), from: 'skimwatch@notify.test' },
      publicUrl: 'https://skimwatch.test',
      policy: { rescanAfterDays: 7, maxReminders: 2 },
    }
    const contacts = [
      {
        address: 'nobody@gone.test',
        source: 'site' as const,
        detail: null,
        languages: [],
        skipped: null,
      },
    ]
    const notice: Notice = {
      domain: 'gone.test',
      siteUrl: 'http://gone.test/',
      pageUrl: 'http://gone.test/',
      verdict: 'malicious',
      foundAt: '2026-11-23T10:00:00.000Z',
      scripts: [{ url: null, sha256: '1'.repeat(64), verdict: 'malicious', findings: [] }],
      exfil: [],
    }
    const first = await notifyInfected(store, { siteId, scanId, notice, contacts }, settings)
    expect(first.status).toBe('bounced')
    expect(await store.isSuppressed('nobody@gone.test')).toBe(true)
    const other = { ...notice, scripts: [{ ...notice.scripts[0]!, sha256: '2'.repeat(64) }] }
    const again = await notifyInfected(store, { siteId, scanId, notice: other, contacts }, settings)
    expect(again).toMatchObject({ emailId: null, reason: 'no reachable contact' })
    expect(arrivals).toHaveLength(1)
  })
})
