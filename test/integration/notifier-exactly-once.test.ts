// Exactly once: a worker killed between writing the outbox row and the SMTP send, or in the middle
// of the SMTP exchange, is restarted and the server receives one message; a 4xx answer is followed
// by one more attempt with the same Message-ID, and nothing after that.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import os from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { notifyInfected } from '../../notifier/index.ts'
import { openStore, type Store } from '../../store/index.ts'
import { ROOT } from '../helpers/cli.ts'
import { caseNotice, contactsOf, settingsFor, siteWithScan } from '../helpers/notice-fixtures.ts'
import { dropSchema, PG_URL, uniqueName } from '../helpers/services.ts'
import { smtpSink, type SmtpSink } from '../helpers/smtp-sink.ts'

const schema = uniqueName('sw_once')
let store: Store
let sink: SmtpSink
let smtpUrl: string

const newSite = (domain: string) => siteWithScan(store, domain)

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

const accepted = (rcpt: string) => sink.arrivals.filter((a) => a.accepted && a.rcpt.includes(rcpt))

beforeAll(async () => {
  store = await openStore({ databaseUrl: PG_URL, home: os.tmpdir(), schema })
  sink = await smtpSink()
  smtpUrl = sink.url
})

afterAll(async () => {
  await store?.close()
  await sink?.close()
  await dropSchema(schema)
})

beforeEach(() => {
  sink.arrivals.length = 0
})

describe('exactly once across a crash', () => {
  it('a worker killed after the outbox write sends nothing; its restart sends one message', async () => {
    const { siteId, scanId } = await newSite('crash-a.test')
    const args = [String(siteId), String(scanId), smtpUrl]
    const first = worker([...args, '--pause-after-queue'])
    const id = Number((await lineOf(first, 'QUEUED ')).split(' ')[1])
    await kill(first)
    expect((await store.getEmail(id))?.status).toBe('pending')
    expect(sink.arrivals).toHaveLength(0)

    expect(await runToEnd(worker(args))).toBe(0)
    expect(accepted('owner@crash.test')).toHaveLength(1)
    const sent = await store.getEmail(id)
    expect(sent).toMatchObject({ status: 'sent', attempts: 1 })
    expect(sink.arrivals[0]!.mail.messageId).toBe(sent!.messageId)

    // a third run (a retried job) finds the row sent
    expect(await runToEnd(worker(args))).toBe(0)
    expect(sink.arrivals).toHaveLength(1)
  })

  it('a worker killed in the middle of the SMTP exchange is replaced and one message arrives', async () => {
    const { siteId, scanId } = await newSite('crash-b.test')
    const args = [String(siteId), String(scanId), smtpUrl]
    const first = worker(args)
    let answerFirst: (err?: Error) => void = () => {}
    const reached = new Promise<void>((resolve) => {
      sink.onNextMailFrom((answer) => {
        answerFirst = answer
        resolve()
      })
    })
    await reached
    await kill(first)
    answerFirst(Object.assign(new Error('client gone'), { responseCode: 421 }))
    expect(sink.arrivals).toHaveLength(0)

    expect(await runToEnd(worker(args))).toBe(0)
    expect(await runToEnd(worker(args))).toBe(0)
    expect(accepted('owner@crash.test')).toHaveLength(1)
    expect(sink.arrivals).toHaveLength(1)
  })
})

describe('a temporary refusal', () => {
  it('is followed by one more attempt with the same Message-ID, and then nothing', async () => {
    const { siteId, scanId } = await newSite('later.test')
    const input = {
      siteId,
      scanId,
      notice: caseNotice('later.test'),
      contacts: contactsOf('owner@later.test'),
    }
    const run = () => notifyInfected(store, input, settingsFor(smtpUrl))
    sink.refuseNext(451, '4.3.0 try again later')
    const first = await run()
    expect(first.outcome).toMatchObject({ kind: 'retry' })
    expect(first.status).toBe('failed')
    const second = await run()
    expect(second.outcome).toMatchObject({ kind: 'sent' })
    const third = await run()
    expect(third.outcome).toBeNull()
    expect(third.status).toBe('sent')

    expect(sink.arrivals.map((a) => a.accepted)).toEqual([false, true])
    expect(sink.arrivals[0]!.mail.messageId).toBeTruthy()
    expect(sink.arrivals[1]!.mail.messageId).toBe(sink.arrivals[0]!.mail.messageId)
    expect(await store.getEmail(first.emailId!)).toMatchObject({ status: 'sent', attempts: 2 })
  })

  it('a permanent refusal bounces: the address is suppressed and not written to again', async () => {
    const { siteId, scanId } = await newSite('gone.test')
    sink.refuseNext(550, '5.1.1 no such user')
    const contacts = contactsOf('nobody@gone.test')
    const settings = settingsFor(smtpUrl)
    const notice = caseNotice('gone.test', '1')
    const first = await notifyInfected(store, { siteId, scanId, notice, contacts }, settings)
    expect(first.status).toBe('bounced')
    expect(await store.isSuppressed('nobody@gone.test')).toBe(true)
    const other = caseNotice('gone.test', '2')
    const again = await notifyInfected(store, { siteId, scanId, notice: other, contacts }, settings)
    expect(again).toMatchObject({ emailId: null, reason: 'no reachable contact' })
    expect(sink.arrivals).toHaveLength(1)
  })
})
