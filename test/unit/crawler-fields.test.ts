import { describe, expect, it } from 'vitest'
import { findAddToCart, findCheckoutTargets, findContinueButton } from '../../crawler/checkout.ts'
import { findFields } from '../../crawler/fields.ts'
import { markSplitCard } from '../../crawler/exfil-match.ts'

const roles = (html: string) => findFields(html).map((f) => f.role)

describe('findFields names card and personal fields in many languages', () => {
  const cases: Array<[string, string, string[]]> = [
    [
      'autocomplete',
      '<input autocomplete="cc-number"><input autocomplete="cc-exp"><input autocomplete="cc-csc">',
      ['card', 'exp', 'cvv'],
    ],
    [
      'French labels',
      '<label>Numéro de carte <input name="numero"></label><input name="echeance" placeholder="MM/AA"><label>Cryptogramme <input name="cryptogramme"></label>',
      ['card', 'exp', 'cvv'],
    ],
    [
      'German',
      '<input name="kartennummer"><input name="pruefziffer" aria-label="Prüfziffer der Karte">',
      ['card', 'cvv'],
    ],
    [
      'Magento',
      '<input name="payment[cc_number]"><select name="payment[cc_exp_month]"></select><select name="payment[cc_exp_year]"></select><input name="payment[cc_cid]">',
      ['card', 'expMonth', 'expYear', 'cvv'],
    ],
    [
      '4×4 split',
      [1, 2, 3, 4].map((i) => `<input name="card_${i}" maxlength="4">`).join(''),
      ['cardPart', 'cardPart', 'cardPart', 'cardPart'],
    ],
    [
      'personal',
      '<input type="email" name="e"><input name="billing_postcode"><input name="ville"><input name="telefoon">',
      ['email', 'zip', 'city', 'phone'],
    ],
  ]
  it.each(cases)('%s', (_, html, expected) => {
    expect(roles(html)).toEqual(expected)
  })
})

describe('checkout discovery words', () => {
  it.each([
    ['<a href="/kasse">Zur Kasse</a>', 'de'],
    ['<a href="/commande">Commander</a>', 'fr'],
    ['<a href="/x">Realizar pedido</a>', 'es'],
    ['<a href="/afrekenen">Afrekenen</a>', 'nl'],
    ['<a href="/zamowienie">Do kasy</a>', 'pl'],
    ['<a href="/kassan">Till kassan</a>', 'sv'],
    ['<a href="/kassen">Gå til betaling</a>', 'da'],
  ])('%s (%s) is a checkout link', (html) => {
    expect(findCheckoutTargets(html, 'https://s.test/')[0]?.score).toBe(2)
  })
  it('follows a WooCommerce ?add-to-cart= link', () => {
    const t = findAddToCart(
      '<a href="?add-to-cart=42" class="add_to_cart_button">Add to cart</a>',
      'https://s.test/shop/',
    )
    expect(t?.href).toBe('https://s.test/shop/?add-to-cart=42')
  })
  it('finds the continue button of an address step', () => {
    expect(findContinueButton('<button type="button">Weiter</button>')?.label).toBe('Weiter')
  })
})

describe('markSplitCard', () => {
  const req = (url: string) => ({ url, body: null, carriesCard: false })
  it('marks both halves of a card split over two requests', () => {
    const out = markSplitCard([
      req('https://x.test/p?a=411111'),
      req('https://x.test/p?b=1111111111'),
      req('https://x.test/q?n=2024'),
    ])
    expect(out.map((r) => r.carriesCard)).toEqual([true, true, false])
  })
  it('leaves a lone prefix alone', () => {
    expect(markSplitCard([req('https://x.test/p?a=411111')])[0]?.carriesCard).toBe(false)
  })
})
