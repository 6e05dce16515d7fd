// The follow-up decisions, pure: when a case is due for a rescan, when a reminder, when resolved.
import { describe, expect, it } from 'vitest'
import {
  chooseLanguage,
  dueForRescan,
  expiredReason,
  nextAction,
  parseSecurityTxt,
} from '../../notifier/index.ts'

const policy = { rescanAfterDays: 7, maxReminders: 2 }
const now = new Date('2026-12-10T12:00:00Z')
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000).toISOString()
const open = (over: Partial<Parameters<typeof nextAction>[0]> = {}) => ({
  siteId: 1,
  reminders: 0,
  lastMailAt: daysAgo(8),
  lastScanAt: daysAgo(8),
  ...over,
})
const infected = { verdict: 'malicious', complete: true }

describe('nextAction', () => {
  it('resolves on a complete clean scan, whatever the reminders', () => {
    expect(
      nextAction(open({ reminders: 2 }), { verdict: 'clean', complete: true }, policy, now, 3),
    ).toEqual({ kind: 'resolve' })
  })
  it('never resolves or reminds on an incomplete visit', () => {
    expect(nextAction(open(), { verdict: 'clean', complete: false }, policy, now, 3).kind).toBe(
      'none',
    )
    expect(nextAction(open(), { verdict: 'malicious', complete: false }, policy, now, 3).kind).toBe(
      'none',
    )
  })
  it('reminds a period after the last mail, escalating to the next contact', () => {
    expect(nextAction(open(), infected, policy, now, 3)).toEqual({
      kind: 'remind',
      n: 1,
      contactIndex: 1,
    })
    expect(nextAction(open({ reminders: 1 }), infected, policy, now, 3)).toEqual({
      kind: 'remind',
      n: 2,
      contactIndex: 2,
    })
    // one contact only: reminders stay with it
    expect(nextAction(open(), infected, policy, now, 1)).toEqual({
      kind: 'remind',
      n: 1,
      contactIndex: 0,
    })
  })
  it('waits while the last mail is recent, and stops at the limit', () => {
    expect(nextAction(open({ lastMailAt: daysAgo(6) }), infected, policy, now, 3).kind).toBe('none')
    expect(nextAction(open({ reminders: 2 }), infected, policy, now, 3)).toEqual({
      kind: 'none',
      reason: 'reminders used up',
    })
  })
})

describe('dueForRescan', () => {
  it('lists the open cases not scanned for a whole period', () => {
    const cases = [
      open({ siteId: 1, lastScanAt: daysAgo(7) }),
      open({ siteId: 2, lastScanAt: daysAgo(3) }),
    ]
    expect(dueForRescan(cases, policy, now)).toEqual([1])
  })
})

describe('security.txt', () => {
  it('reads fields case-insensitively over CRLF, first Expires and Preferred-Languages only', () => {
    const st = parseSecurityTxt(
      '\uFEFFcontact: mailto:a@shop.example\r\nCONTACT: https://shop.example/form\r\nExpires: 2030-01-01T00:00:00Z\r\nExpires: 2000-01-01T00:00:00Z\r\nPreferred-Languages: fr, de\r\n# Contact: mailto:commented@shop.example\r\n',
    )
    expect(st).toEqual({
      contacts: ['mailto:a@shop.example', 'https://shop.example/form'],
      expires: '2030-01-01T00:00:00.000Z',
      languages: ['fr', 'de'],
      signed: false,
    })
    expect(expiredReason(st, now)).toBeNull()
    expect(chooseLanguage(st.languages)).toBe('de')
  })
  it('refuses a file with an unreadable or past Expires', () => {
    expect(
      expiredReason(parseSecurityTxt('Contact: mailto:a@b.example\nExpires: soon'), now),
    ).toMatch(/not a date/)
    expect(
      expiredReason(
        parseSecurityTxt('Contact: mailto:a@b.example\nExpires: 2026-12-01T00:00:00Z'),
        now,
      ),
    ).toMatch(/expired on 2026-12-01/)
  })
  it('chooses English when no preferred language has a translation', () => {
    expect(chooseLanguage(['fr', 'nl'])).toBe('en')
    expect(chooseLanguage(['de-AT'])).toBe('de')
  })
})
