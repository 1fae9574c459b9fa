// A tagged template for server-written HTML: every interpolated value is escaped as text unless it
// is already Html (built by this template). Merchant text can only ever become a text node.

const htmlMark = Symbol('html')

export type Html = { readonly [htmlMark]: true; readonly value: string }

/** A value the template accepts: text (escaped), Html (kept), lists of either, or nothing. */
export type HtmlValue = Html | string | number | null | undefined | false | readonly HtmlValue[]

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** Text safe in element content and in quoted attribute values. */
export function escape(text: string): string {
  return text.replace(/[&<>"']/g, (character) => escapes[character]!)
}

function isHtml(value: unknown): value is Html {
  return typeof value === 'object' && value !== null && htmlMark in value
}

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return ''
  if (isHtml(value)) return value.value
  if (Array.isArray(value)) return value.map(render).join('')
  return escape(String(value))
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0]!
  values.forEach((value, index) => {
    out += render(value) + strings[index + 1]!
  })
  return { [htmlMark]: true, value: out }
}

/** JSON for a `<script type="application/json">` element: `<` is escaped so no text can close it. */
export function jsonScriptContent(value: unknown): Html {
  const json = JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')
  return { [htmlMark]: true, value: json }
}
