// Follow-up: reminders while infected (escalating), the "resolved" mail once on a clean rescan,
// a new case on reinfection, and one-click unsubscribe through the web app.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { followUpScan, notifyInfected, sendQueued } from '../../notifier/index.ts'
import { caseNotice, contactsOf, settingsFor, siteWithScan } from '../helpers/notice-fixtures.ts'
import { login, reviewHarness, type ReviewHarness } from '../helpers/review-app.ts'
import { rawHeader, smtpSink, type SmtpSink } from '../helpers/smtp-sink.ts'

let h: ReviewHarness
let sink: SmtpSink
const DAY = 86_400_000
const later = (days: number) => new Date(Date.now() + days * DAY)

beforeAll(async () => {
  h = await reviewHarness()
  sink = await smtpSink()
})
afterAll(async () => {
  await sink?.close()
  await h?.close()
})
beforeEach(() => {
  sink.arrivals.length = 0
})

const to = () => sink.arrivals.filter((a) => a.accepted).map((a) => a.rcpt.join(','))
const subjects = () => sink.arrivals.map((a) => a.mail.subject)

describe('follow-up', () => {
  it('a clean rescan sends the resolved mail once and closes the case; reinfection opens a new one', async () => {
    const domain = 'healed.test'
    const contacts = contactsOf('owner@healed.test', 'abuse@host.test')
    const settings = settingsFor(sink.url)
    const infected = await siteWithScan(h.store, domain)
    const notice = caseNotice(domain)
    await notifyInfected(h.store, { ...infected, notice, contacts }, settings)
    const opened = await h.store.openCaseOf(infected.siteId)
    expect(opened).not.toBeNull()

    const clean = await siteWithScan(h.store, domain)
    const input = { ...clean, domain, verdict: 'clean', complete: true }
    const first = await followUpScan(h.store, input, settings)
    expect(first.outcome).toMatchObject({ kind: 'sent' })
    // the same scan handled again (a retried job) and the next clean scan say nothing more
    expect(await followUpScan(h.store, input, settings)).toMatchObject({ reason: 'no open case' })
    const next = await siteWithScan(h.store, domain)
    expect(await followUpScan(h.store, { ...input, ...next }, settings)).toMatchObject({
      emailId: null,
    })
    expect(await h.store.openCaseOf(infected.siteId)).toBeNull()
    expect(subjects()).toEqual([
      '[skimwatch] Card-skimming code found on healed.test — action needed',
      '[skimwatch] healed.test is clean now — thank you',
    ])
    expect(to()).toEqual(['owner@healed.test', 'owner@healed.test'])

    // the same skimmer again: a new case and a new notice
    const again = await siteWithScan(h.store, domain)
    await notifyInfected(h.store, { ...again, notice, contacts }, settings)
    const reopened = await h.store.openCaseOf(infected.siteId)
    expect(reopened?.id).not.toBe(opened?.id)
    expect(sink.arrivals).toHaveLength(3)

    const history = (await h.store.caseHistory()).filter((c) => c.domain === domain)
    expect(history.map((c) => c.closedAt === null)).toEqual([true, false])
    // the thank-you is queued before the case closes and sent after
    expect(history[1]!.events.map((e) => e.kind)).toEqual([
      'opened',
      'sent',
      'rescan',
      'resolved',
      'sent',
    ])
  })

  it('an incomplete rescan neither resolves nor reminds', async () => {
    const domain = 'flaky.test'
    const settings = settingsFor(sink.url)
    const s = await siteWithScan(h.store, domain)
    await notifyInfected(
      h.store,
      { ...s, notice: caseNotice(domain), contacts: contactsOf('o@flaky.test') },
      settings,
    )
    const r = await siteWithScan(h.store, domain)
    const out = await followUpScan(
      h.store,
      { ...r, domain, verdict: 'clean', complete: false },
      settings,
    )
    expect(out).toMatchObject({ emailId: null, reason: 'the visit did not complete' })
    expect(await h.store.openCaseOf(s.siteId)).not.toBeNull()
  })

  it('reminds while infected, at most K times, each to the next contact', async () => {
    const domain = 'stubborn.test'
    const contacts = contactsOf('owner@stubborn.test', 'abuse@registrar.test', 'cert@cert.test')
    const settings = settingsFor(sink.url, 2)
    const notice = caseNotice(domain)
    const scan = () => siteWithScan(h.store, domain)
    await notifyInfected(h.store, { ...(await scan()), notice, contacts }, settings)
    // a rescan the next day: too soon for a reminder
    await notifyInfected(h.store, { ...(await scan()), notice, contacts }, settings, later(1))
    // each rescan a period after the last mail earns one reminder, until the limit
    for (let i = 0; i < 3; i++) {
      await notifyInfected(
        h.store,
        { ...(await scan()), notice, contacts },
        settings,
        later(8 * (i + 1)),
      )
    }
    expect(to()).toEqual(['owner@stubborn.test', 'abuse@registrar.test', 'cert@cert.test'])
    expect(subjects().slice(1)).toEqual([
      '[skimwatch] Reminder: card-skimming code still on stubborn.test',
      '[skimwatch] Reminder: card-skimming code still on stubborn.test',
    ])
    expect(sink.arrivals[1]!.mail.text).toContain('This is reminder 1')
  })

  it('an unsubscribe click (RFC 8058 one-click POST) suppresses all later mail to that address', async () => {
    const domain = 'quiet.test'
    const contacts = contactsOf('owner@quiet.test')
    const settings = settingsFor(sink.url)
    const first = await siteWithScan(h.store, domain)
    await notifyInfected(h.store, { ...first, notice: caseNotice(domain), contacts }, settings)
    expect(to()).toEqual(['owner@quiet.test'])
    const mail = sink.arrivals[0]!.mail
    expect(rawHeader(mail, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click')
    const link = /<(https:\/\/skimwatch\.test\/unsubscribe\/[\w-]+)>/.exec(
      rawHeader(mail, 'list-unsubscribe') ?? '',
    )?.[1]
    expect(link).toBeDefined()
    expect(mail.text).toContain(link)

    const path = new URL(link!).pathname
    // opening the link changes nothing (mail scanners follow links); the POST does
    expect((await h.app.inject({ method: 'GET', url: path })).statusCode).toBe(200)
    expect(await h.store.isSuppressed('owner@quiet.test')).toBe(false)
    const click = await h.app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    })
    expect(click.statusCode).toBe(200)
    expect(await h.store.isSuppressed('owner@quiet.test')).toBe(true)
    const unknown = await h.app.inject({ method: 'POST', url: '/unsubscribe/not-a-real-token-xyz' })
    expect(unknown.statusCode).toBe(404)

    // a new finding set, a clean rescan: nothing more reaches the address
    const second = await siteWithScan(h.store, domain)
    const other = await notifyInfected(
      h.store,
      { ...second, notice: caseNotice(domain, '7'), contacts },
      settings,
    )
    expect(other).toMatchObject({ emailId: null, reason: 'no reachable contact' })
    const clean = await siteWithScan(h.store, domain)
    await followUpScan(h.store, { ...clean, domain, verdict: 'clean', complete: true }, settings)
    expect(to()).toEqual(['owner@quiet.test'])
    const events = (await h.store.caseHistory()).find((c) => c.domain === domain)!.events
    expect(events.map((e) => e.kind)).toContain('unsubscribed')
  })
})

describe('sending limits', () => {
  it('holds a low-confidence notice until an analyst releases it', async () => {
    const domain = 'unsure.test'
    const settings = { ...settingsFor(sink.url), approveBelow: 80 }
    const s = await siteWithScan(h.store, domain)
    const input = { ...s, notice: caseNotice(domain), contacts: contactsOf('o@unsure.test') }
    const held = await notifyInfected(h.store, { ...input, confidence: 45 }, settings)
    expect(held).toMatchObject({ status: 'withdrawn', outcome: null })
    expect(sink.arrivals).toHaveLength(0)

    const analyst = await login(h.app, 'ana')
    const release = await analyst.post(`/api/mails/${held.emailId}/release`, {})
    expect(release.statusCode).toBe(200)
    expect(await h.store.dueEmails()).toContain(held.emailId)
    expect(await sendQueued(h.store, held.emailId!, settings)).toMatchObject({ status: 'sent' })
    expect(to()).toEqual(['o@unsure.test'])
  })

  it('sends at most N emails an hour to one recipient domain; the rest wait', async () => {
    const settings = { ...settingsFor(sink.url), perDomainPerHour: 2 }
    const results = []
    for (const name of ['a', 'b', 'c']) {
      const domain = `${name}.busy.test`
      const s = await siteWithScan(h.store, domain)
      const contacts = contactsOf(`abuse@registrar-busy.test`)
      results.push(
        await notifyInfected(h.store, { ...s, notice: caseNotice(domain), contacts }, settings),
      )
    }
    const other = await siteWithScan(h.store, 'd.busy.test')
    const elsewhere = await notifyInfected(
      h.store,
      { ...other, notice: caseNotice('d.busy.test'), contacts: contactsOf('owner@d.busy.test') },
      settings,
    )
    expect(results.map((r) => r.outcome?.kind)).toEqual(['sent', 'sent', 'retry'])
    expect(results[2]!.outcome).toMatchObject({ error: expect.stringMatching(/rate limit/) })
    expect(await h.store.getEmail(results[2]!.emailId!)).toMatchObject({
      status: 'pending',
      attempts: 0,
    })
    expect(elsewhere.outcome?.kind).toBe('sent')
    expect(to()).toEqual([
      'abuse@registrar-busy.test',
      'abuse@registrar-busy.test',
      'owner@d.busy.test',
    ])
  })
})
