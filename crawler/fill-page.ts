// Page-side halves of the honeypot fill, as source text for frames.ts (an isolated world).
// Plain strings, not functions: a bundler's helpers would not exist in the page.

/** One step on one field: set it (`text` / `keys` / `select`), or focus / blur around real typing. */
export interface FieldOp {
  selector: string
  op: 'text' | 'keys' | 'select' | 'focus' | 'blur'
  value: string
}

/**
 * Runs the ops in order; returns the selectors it could act on (visible, enabled fields).
 * `keys` sends keydown/keypress/input/keyup per character for listeners on key events; every
 * set field gets input and change, and focus/blur around it as a user's tabbing would give.
 */
export const FILL_FN = `(ops) => {
  const done = [];
  const visible = (el) => {
    if (!el.isConnected || el.disabled || el.readOnly) return false;
    const style = getComputedStyle(el);
    return style.visibility !== 'hidden' && el.getClientRects().length > 0;
  };
  const fire = (el, type) => el.dispatchEvent(new Event(type, { bubbles: true }));
  const key = (el, type, ch) => el.dispatchEvent(new KeyboardEvent(type, {
    key: ch, code: /\\d/.test(ch) ? 'Digit' + ch : 'Key' + ch.toUpperCase(),
    charCode: type === 'keypress' ? ch.charCodeAt(0) : 0,
    keyCode: ch.toUpperCase().charCodeAt(0), bubbles: true, cancelable: true, composed: true,
  }));
  const pickOption = (el, value) => {
    const wanted = [value, '20' + value, String(Number(value))];
    for (const w of wanted)
      for (const o of el.options) if (o.value === w || o.text.trim() === w) return o.index;
    return -1;
  };
  for (const { selector, op, value } of ops) {
    const el = document.querySelector(selector);
    if (!el) continue;
    if (op === 'blur') { el.blur(); done.push(selector); continue; }
    if (op === 'select') {
      const i = pickOption(el, value);
      if (i < 0) continue;
      el.focus(); el.selectedIndex = i; fire(el, 'input'); fire(el, 'change'); el.blur();
      done.push(selector);
      continue;
    }
    if (!visible(el)) continue;
    el.focus();
    el.value = '';
    if (op === 'focus') { done.push(selector); continue; }
    if (op === 'keys') {
      for (const ch of value) {
        key(el, 'keydown', ch); key(el, 'keypress', ch);
        el.value += ch;
        el.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertText', data: ch }));
        key(el, 'keyup', ch);
      }
    } else {
      el.value = value;
      el.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertText', data: value }));
    }
    fire(el, 'change');
    el.blur();
    done.push(selector);
  }
  return done;
}`

/** Selectors among `selectors` that a user could see. */
export const VISIBLE_FN = `(selectors) => selectors.filter((s) => {
  const el = document.querySelector(s);
  if (!el || !el.isConnected) return false;
  return getComputedStyle(el).visibility !== 'hidden' && el.getClientRects().length > 0;
})`

/** Selectors among `selectors` of fields a user could see that are empty (refreshed or cleared). */
export const EMPTY_FN = `(selectors) => selectors.filter((s) => {
  const el = document.querySelector(s);
  return !!el && el.isConnected && el.getClientRects().length > 0 && el.value === '';
})`
