import { describe, expect, it } from 'vitest'
import { parseSeedList } from '../../cli/seed-list.ts'

describe('parseSeedList', () => {
  it('keeps good lines, reports bad ones by line number, merges duplicates', () => {
    const text = [
      '# shops from the October campaign',
      'shop-one.example',
      'https://Shop-Two.example/checkout  # direct checkout',
      '',
      'not a domain',
      'ftp://files.example/',
      'shop-one.example',
      'http://shop-three.test:8080/',
      '999.1.1.1',
      '-bad-.example',
      'https://user:pw@shop-four.example/',
    ].join('\n')
    const { entries, errors } = parseSeedList(text)
    expect(entries).toEqual([
      { domain: 'shop-one.example', url: 'https://shop-one.example/' },
      { domain: 'shop-two.example', url: 'https://shop-two.example/checkout' },
      { domain: 'shop-three.test', url: 'http://shop-three.test:8080/' },
    ])
    expect(errors.map((e) => e.line)).toEqual([5, 6, 9, 10, 11])
    expect(errors[0]?.reason).toMatch(/spaces/)
    expect(errors[1]?.reason).toMatch(/scheme ftp/)
  })

  it('accepts CRLF files and IPv4 addresses', () => {
    const { entries, errors } = parseSeedList('a.example\r\n203.0.113.7\r\n')
    expect(errors).toEqual([])
    expect(entries.map((e) => e.domain)).toEqual(['a.example', '203.0.113.7'])
  })
})
