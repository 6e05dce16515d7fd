// A notify worker in a process of its own, for crash tests:
//   node --import tsx test/helpers/notify-worker.ts <schema> <siteId> <scanId> <smtpUrl> [--pause-after-queue]
// It runs the notifier's real path (case, outbox row, SMTP); with --pause-after-queue it stops for
// good right after the outbox row is written and says so on stdout, so the test can kill it there.
import os from 'node:os'
import { notifyInfected, type CaseStore } from '../../notifier/index.ts'
import { openStore } from '../../store/index.ts'
import { caseNotice, contactsOf, settingsFor } from './notice-fixtures.ts'
import { PG_URL } from './services.ts'

const [schema, siteId, scanId, smtpUrl, flag] = process.argv.slice(2)
const store = await openStore({ databaseUrl: PG_URL, home: os.tmpdir(), schema })

const port: CaseStore =
  flag === '--pause-after-queue'
    ? {
        ...store,
        enqueueEmail: async (msg) => {
          const queued = await store.enqueueEmail(msg)
          process.stdout.write(`QUEUED ${queued.id}\n`)
          return new Promise<never>(() => {})
        },
      }
    : store
const result = await notifyInfected(
  port,
  {
    siteId: Number(siteId),
    scanId: Number(scanId),
    notice: caseNotice('crash.test'),
    contacts: contactsOf('owner@crash.test'),
  },
  settingsFor(smtpUrl),
)
process.stdout.write(`${JSON.stringify(result)}\n`)
await store.close()
